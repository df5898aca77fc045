//go:build linux && (amd64 || arm64)

package local

import (
	"os"
	"syscall"
	"unsafe"
)

// From linux/fcntl.h and linux/fs.h; package syscall does not export them
// and golang.org/x/sys is not a dependency. sysRenameat2 is per
// architecture, in rename_linux_GOARCH.go.
const (
	atFDCWD         = -100
	renameNoreplace = 0x1
)

// renameNoReplace renames src to dst, failing with EEXIST if dst exists,
// atomically where the file system supports it (ext4, xfs, btrfs, tmpfs)
// and by checking just before the rename elsewhere (NFS, older kernels).
func renameNoReplace(src, dst string) error {
	err := renameat2(src, dst, renameNoreplace)
	if err == syscall.EINVAL || err == syscall.ENOSYS || err == syscall.EOPNOTSUPP {
		return renameChecked(src, dst)
	}
	if err != nil {
		return &os.LinkError{Op: "renameat2", Old: src, New: dst, Err: err}
	}
	return nil
}

func renameat2(src, dst string, flags uintptr) error {
	s, err := syscall.BytePtrFromString(src)
	if err != nil {
		return err
	}
	d, err := syscall.BytePtrFromString(dst)
	if err != nil {
		return err
	}
	cwd := atFDCWD
	_, _, errno := syscall.Syscall6(sysRenameat2,
		uintptr(cwd), uintptr(unsafe.Pointer(s)),
		uintptr(cwd), uintptr(unsafe.Pointer(d)), flags, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
