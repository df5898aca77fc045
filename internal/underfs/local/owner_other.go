//go:build !unix

package local

import "os"

// idNames has nothing to cache where files have no numeric owners.
type idNames struct{}

func (*idNames) owner(os.FileInfo) (string, string) { return "", "" }

// lookupUID and lookupGID know no names here, so SetOwner always skips.
func lookupUID(string) int { return -1 }
func lookupGID(string) int { return -1 }
