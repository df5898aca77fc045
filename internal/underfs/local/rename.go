package local

import (
	"os"
	"syscall"
)

// renameChecked is the fallback of renameNoReplace: the check and the
// rename are two steps, so a program outside Alluxio that creates dst in
// between has its file replaced.
func renameChecked(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: syscall.EEXIST}
	}
	return os.Rename(src, dst)
}
