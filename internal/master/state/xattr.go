package state

import (
	"maps"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// Extended attributes are small: they live in every replica's memory and in
// every checkpoint, and the S3 proxy keeps a few headers' worth per object
// (S3 caps user metadata at 2 KB, names included, so one name may take
// nearly all of it). Raising a limit is safe for journals written before;
// lowering one is not, as replay would refuse what was accepted.
const (
	MaxXattrKey     = 2 << 10
	MaxXattrEntries = 64
	MaxXattrBytes   = 16 << 10
)

// checkXattr refuses attributes over the limits, counting those kept from
// have unless replaceAll.
func checkXattr(path string, have, set map[string][]byte, replaceAll bool) error {
	if len(set) == 0 && !replaceAll {
		return nil
	}
	merged := set
	if !replaceAll && len(have) > 0 {
		merged = maps.Clone(have)
		maps.Copy(merged, set)
	}
	if len(merged) > MaxXattrEntries {
		return errs.New(errs.ErrInvalidArg, "%s: %d extended attributes, at most %d", path, len(merged), MaxXattrEntries)
	}
	total := 0
	for k, v := range merged {
		if k == "" || len(k) > MaxXattrKey {
			return errs.New(errs.ErrInvalidArg, "%s: extended attribute name of %d bytes, want 1 to %d", path, len(k), MaxXattrKey)
		}
		total += len(k) + len(v)
	}
	if total > MaxXattrBytes {
		return errs.New(errs.ErrInvalidArg, "%s: extended attributes of %d bytes, at most %d", path, total, MaxXattrBytes)
	}
	return nil
}

// setXattr gives n its new attributes. The map is replaced, never changed
// in place, because copies of the inode handed out share it.
func setXattr(n *Inode, set map[string][]byte, replaceAll bool) {
	if len(set) == 0 && !replaceAll {
		return
	}
	next := map[string][]byte{}
	if !replaceAll {
		maps.Copy(next, n.Xattr)
	}
	for k, v := range set {
		next[k] = append([]byte(nil), v...)
	}
	if len(next) == 0 {
		next = nil
	}
	n.Xattr = next
}
