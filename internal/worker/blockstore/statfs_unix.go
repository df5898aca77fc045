//go:build linux || darwin || freebsd

package blockstore

import "syscall"

// diskFree reports the bytes an unprivileged writer may still use on the
// filesystem holding path.
func diskFree(path string) (free int64, known bool, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false, err
	}
	return int64(st.Bavail) * int64(st.Bsize), true, nil
}
