package blockstore

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// DirConfig is one storage directory of a tier, from
// alluxio.worker.tieredstore.levelN.dirs.path, .dirs.quota and
// .dirs.mediumtype.
type DirConfig struct {
	Path       string
	Quota      int64  // bytes of blocks the directory may hold
	MediumType string // defaults to the tier's alias
}

// TierConfig is one storage tier, alluxio.worker.tieredstore.levelN.*.
// Tiers are given fastest first.
type TierConfig struct {
	Alias string
	Dirs  []DirConfig
	// HighWatermark and LowWatermark are the watermark.high.ratio and
	// watermark.low.ratio of the tier; both zero means unset. They only
	// matter to EvictAboveWatermark: eviction on demand frees just what a
	// write needs, so that a writer never waits for more copying than its
	// own block requires.
	HighWatermark, LowWatermark float64
}

// Options configures Open.
type Options struct {
	Tiers  []TierConfig
	Logger *slog.Logger // named by the caller; nil discards
	// Owner names this worker in each storage directory's lock file
	// ("worker host:port"): a second worker (or formatWorker) on the same
	// directory is refused with this name.
	Owner string
}

func tierKey(level int, suffix string) string {
	return fmt.Sprintf("alluxio.worker.tieredstore.level%d.%s", level, suffix)
}

// Validate checks the options without touching the disk. Errors wrap
// errs.ErrInvalidArg and name the property, the tier or dir and the value.
func (o Options) Validate() error {
	if len(o.Tiers) == 0 {
		return errs.New(errs.ErrInvalidArg, "alluxio.worker.tieredstore.levels: no storage tier configured")
	}
	aliases := make(map[string]int)
	paths := make(map[string]string)
	for level, t := range o.Tiers {
		if t.Alias == "" {
			return errs.New(errs.ErrInvalidArg, "%s is empty", tierKey(level, "alias"))
		}
		if prev, ok := aliases[t.Alias]; ok {
			return errs.New(errs.ErrInvalidArg, "%s (%s) is already the alias of level %d", tierKey(level, "alias"), t.Alias, prev)
		}
		aliases[t.Alias] = level
		if len(t.Dirs) == 0 {
			return errs.New(errs.ErrInvalidArg, "%s: tier %s has no directory", tierKey(level, "dirs.path"), t.Alias)
		}
		for _, d := range t.Dirs {
			if d.Path == "" {
				return errs.New(errs.ErrInvalidArg, "%s: tier %s has an empty directory path", tierKey(level, "dirs.path"), t.Alias)
			}
			if d.Quota <= 0 {
				return errs.New(errs.ErrInvalidArg, "%s: tier %s dir %s: quota %d must be positive", tierKey(level, "dirs.quota"), t.Alias, d.Path, d.Quota)
			}
			// The same directory twice would count its blocks twice and let
			// two tiers fight over one quota.
			abs, err := filepath.Abs(d.Path)
			if err != nil {
				return errs.New(errs.ErrInvalidArg, "%s: tier %s dir %s: %v", tierKey(level, "dirs.path"), t.Alias, d.Path, err)
			}
			if other, ok := paths[abs]; ok {
				return errs.New(errs.ErrInvalidArg, "%s: dir %s of tier %s is already a dir of tier %s", tierKey(level, "dirs.path"), d.Path, t.Alias, other)
			}
			paths[abs] = t.Alias
		}
		lo, hi := t.LowWatermark, t.HighWatermark
		if (lo != 0 || hi != 0) && !(0 < lo && lo <= hi && hi <= 1) {
			return errs.New(errs.ErrInvalidArg, "%s (%g) and %s (%g): tier %s needs 0 < low <= high <= 1",
				tierKey(level, "watermark.low.ratio"), lo, tierKey(level, "watermark.high.ratio"), hi, t.Alias)
		}
	}
	return nil
}
