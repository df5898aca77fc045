package blockstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// LayoutDirName is the folder the store keeps under each storage
// directory; everything in it is the worker's (alluxio formatWorker removes
// it).
const LayoutDirName = "alluxioworker"

const (
	metaSuffix = ".meta"
	tmpSuffix  = ".tmp"
	moveSuffix = ".move" + tmpSuffix
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The sidecar is fixed-size binary with its own checksum, so a torn or
// foreign file is told apart from a real one instead of being half-parsed:
// magic (4) | length (8, big endian) | data CRC-32C (4) | CRC-32C of the
// preceding 16 bytes (4). The version is in the magic.
const metaSize = 20

var metaMagic = [4]byte{'A', 'G', 'B', '1'}

func encodeMeta(length int64, sum uint32) []byte {
	b := make([]byte, metaSize)
	copy(b, metaMagic[:])
	binary.BigEndian.PutUint64(b[4:], uint64(length))
	binary.BigEndian.PutUint32(b[12:], sum)
	binary.BigEndian.PutUint32(b[16:], crc32.Checksum(b[:16], castagnoli))
	return b
}

func decodeMeta(b []byte) (length int64, sum uint32, err error) {
	switch {
	case len(b) != metaSize:
		return 0, 0, errs.New(errs.ErrCorrupt, "block metadata of %d bytes, want %d", len(b), metaSize)
	case [4]byte(b[:4]) != metaMagic:
		return 0, 0, errs.New(errs.ErrCorrupt, "block metadata with unknown magic %q", b[:4])
	case binary.BigEndian.Uint32(b[16:]) != crc32.Checksum(b[:16], castagnoli):
		return 0, 0, errs.New(errs.ErrCorrupt, "block metadata checksum mismatch")
	}
	length = int64(binary.BigEndian.Uint64(b[4:]))
	if length < 0 {
		return 0, 0, errs.New(errs.ErrCorrupt, "block metadata with negative length %d", length)
	}
	return length, binary.BigEndian.Uint32(b[12:]), nil
}

func readMeta(path string) (int64, uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, ioErr(err, "read block metadata")
	}
	defer f.Close()
	// One byte more than a valid sidecar, to notice a longer file.
	b, err := io.ReadAll(io.LimitReader(f, metaSize+1))
	if err != nil {
		return 0, 0, ioErr(err, "read block metadata %s", path)
	}
	length, sum, err := decodeMeta(b)
	if err != nil {
		return 0, 0, errs.New(errs.ErrCorrupt, "%s: %s", path, errs.Message(err))
	}
	return length, sum, nil
}

// writeMeta writes the sidecar through a temporary file so that a crash
// leaves either no sidecar or a complete one.
func writeMeta(path string, length int64, sum uint32) error {
	tmp := path + tmpSuffix
	err := writeFileSync(tmp, encodeMeta(length, sum))
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return ioErr(err, "write block metadata %s", path)
	}
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyFile copies a block between tiers; the copy is fsynced before the
// caller renames it into place so the rename never exposes missing data.
// keepMtime carries the modification time over, because a restarted store
// orders its LRU by it and a demoted block should not look fresh.
func copyFile(from, to string, keepMtime bool) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && keepMtime {
		var info os.FileInfo
		if info, err = in.Stat(); err == nil {
			err = os.Chtimes(to, time.Time{}, info.ModTime())
		}
	}
	return err
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return ioErr(err, "sync directory")
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return ioErr(err, "sync directory %s", dir)
	}
	return nil
}

func parseID(name string) (int64, bool) {
	id, err := strconv.ParseInt(name, 10, 64)
	// Only the canonical spelling, so "007" or "+7" stay foreign files.
	return id, err == nil && id >= 0 && strconv.FormatInt(id, 10) == name
}

func (d *dir) blockPath(id int64) string {
	return filepath.Join(d.path, strconv.FormatInt(id, 10))
}

func (d *dir) metaPath(id int64) string { return d.blockPath(id) + metaSuffix }

// ioErr turns an OS error into a domain error. A full disk becomes
// ErrNoSpace because callers treat it like a full quota.
func ioErr(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, syscall.ENOSPC) {
		return errs.New(errs.ErrNoSpace, "%s: %v", msg, err)
	}
	if errors.Is(err, os.ErrNotExist) {
		return errs.New(errs.ErrNotFound, "%s: %v", msg, err)
	}
	return errs.New(errs.ErrInternal, "%s: %v", msg, err)
}
