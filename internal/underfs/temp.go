package underfs

import (
	"path"
	"strconv"
	"strings"
)

// tempPrefix starts the name of a file Alluxio has written to the under
// storage but not published yet.
const tempPrefix = ".alluxio_ufs_tmp_"

// TempPath is where a writer puts the under storage copy of the Alluxio
// file fileID that belongs at rel, before the master publishes it there
// (a rename when it accepts the file as complete). Writing under the file's
// own name instead would let a writer whose file was deleted meanwhile
// leave a copy behind, or replace the copy of a newer file. The name
// depends on the file id only, so it is the same for every attempt.
func TempPath(rel string, fileID int64) string {
	dir, _ := path.Split(rel)
	return dir + tempPrefix + strconv.FormatInt(fileID, 10)
}

// IsTemp reports whether name (the last element of a path) is a file
// TempPath named: metadata loads skip them, as they belong to no one yet.
func IsTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// TempFileID returns the Alluxio file id a TempPath name (the last
// element of a path) was written for, and whether name is one.
func TempFileID(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, tempPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}
