package fuse

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// setReadahead sets the kernel's readahead of the mount (its backing
// device's read_ahead_kb). FUSE offers at most 128 KiB at mount time,
// which keeps a single sequential reader waiting on round trips; a
// larger window has the kernel send reads ahead in parallel. Only root
// may change it; otherwise the kernel's default stays.
func setReadahead(dir string, bytes int) error {
	if bytes <= 0 || os.Geteuid() != 0 {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return err
	}
	p := filepath.Join("/sys/class/bdi", fmt.Sprintf("%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev)), "read_ahead_kb")
	return os.WriteFile(p, []byte(strconv.Itoa(max(bytes/1024, 4))), 0)
}
