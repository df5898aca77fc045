package testcluster

import (
	"os"
	"os/exec"
)

// FuseMissing says why this machine cannot make a FUSE mount (no
// /dev/fuse, or no fusermount3 for a user other than root), "" when it
// can. Tests that need one skip, or fail under CI (SkipOrFail).
func FuseMissing() string {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return "/dev/fuse cannot be opened: " + err.Error()
	}
	f.Close()
	if _, err := exec.LookPath("fusermount3"); err != nil && os.Geteuid() != 0 {
		return "fusermount3 is not installed (scripts/deps.sh installs fuse3)"
	}
	return ""
}
