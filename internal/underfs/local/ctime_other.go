//go:build !linux

package local

import (
	"os"
	"time"
)

// changeTime is when the file last changed, as far as a portable stat
// tells: its modification time.
func changeTime(info os.FileInfo) time.Time { return info.ModTime() }
