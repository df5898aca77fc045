package fuse

import (
	"strings"
	"testing"
)

// FuzzParseMounts: any mount table parses without a panic, and every mount
// it keeps is of this tool's type.
func FuzzParseMounts(f *testing.F) {
	f.Add("alluxio:/ /mnt/a\\040b fuse.alluxio rw 0 0\nx /y ext4 rw 0 0\n")
	f.Add("\\\\\\0 \\1 fuse.alluxio")
	f.Fuzz(func(t *testing.T, table string) {
		ms, err := parseMounts(strings.NewReader(table), nil)
		if err != nil {
			return
		}
		if n := strings.Count(table, FsType); len(ms) > n {
			t.Fatalf("%d mounts from a table naming the type %d times", len(ms), n)
		}
	})
}

// FuzzParseOptions: any -o string is accepted or refused with an error,
// never a panic, and what is accepted validates or says why not.
func FuzzParseOptions(f *testing.F) {
	f.Add("attr_timeout=1,entry_timeout=0.5,direct_io")
	f.Add("max_readahead=-3,,fsname=")
	f.Fuzz(func(t *testing.T, opts string) {
		c := DefaultConfig()
		if err := c.ParseOptions([]string{opts}); err == nil {
			_ = c.Validate()
		}
		MountPointArg(append([]string{"alluxio", "fuse", "mount"}, strings.Split(opts, ",")...))
	})
}
