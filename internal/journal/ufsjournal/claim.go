package ufsjournal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alluxio-go/alluxio/internal/lockfile"
)

// claim takes this master's own lock file in the folder's .locks
// directory: every master sharing the folder holds one, so `alluxio format`
// can tell the folder is in use and by whom, and a second master with the
// same address is refused. A folder whose file system has no locks (an NFS
// mount without a lock service) only loses that protection: the master
// starts and logs it.
func (s *System) claim() error {
	dir := filepath.Join(s.opts.Folder, lockfile.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ufs journal: %w", err)
	}
	l, err := lockfile.Acquire(filepath.Join(dir, lockFileName(s.opts.Owner)), s.opts.Owner+" (UFS journal)")
	if errors.Is(err, lockfile.ErrHeld) {
		return fmt.Errorf("ufs journal: %s is in use: %w", s.opts.Folder, err)
	}
	if err != nil {
		s.log.Warn("cannot lock the journal folder; alluxio format will not see this master", "folder", s.opts.Folder, "err", err)
		return nil
	}
	s.lock = l
	return nil
}

// lockFileName turns an owner ("master host:19998") into a file name.
func lockFileName(owner string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, owner)
}
