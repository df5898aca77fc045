package local

import (
	"os"
	"syscall"
	"time"
)

// changeTime is when the file's data or metadata (its mode) last changed.
func changeTime(info os.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Unix())
	}
	return info.ModTime()
}
