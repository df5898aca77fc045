package s3

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"syscall"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// With alluxio.underfs.s3.streaming.upload.enabled=false a writer keeps
// the file in a local temporary file (the spool, in one of
// alluxio.tmp.dirs) and uploads it when it is closed or committed: one
// PutObject for a file smaller than a part (and not staged), otherwise a
// multipart upload whose parts are sections of the spool, read straight
// from it, so no part is ever held in memory. The uploads, checksums,
// conditions and publish are the streaming writer's (writer.go); only the
// bytes come from the spool. The spool is removed when the writer ends,
// however it ends.

// spool is a writer's local copy of its file.
type spool struct {
	f    *os.File
	size int64
}

// newSpool makes the temporary file of a writer of rel.
func (fs *FS) newSpool(op, rel string) (*spool, error) {
	dir := os.TempDir()
	if n := len(fs.tempDirs); n > 0 {
		dir = fs.tempDirs[rand.IntN(n)]
	}
	f, err := os.CreateTemp(dir, "alluxio-s3-upload-*")
	if err != nil {
		return nil, fs.spoolErr(op, rel, fmt.Errorf("%s=false buffers writes in a temporary file, which cannot be made in %s: %w",
			KeyStreamingUpload, dir, err))
	}
	return &spool{f: f}, nil
}

func (s *spool) write(b []byte) (int, error) {
	n, err := s.f.Write(b)
	s.size += int64(n)
	return n, err
}

// section is n bytes of the spool from off, a body a request can rewind.
func (s *spool) section(off, n int64) *io.SectionReader { return io.NewSectionReader(s.f, off, n) }

// remove closes and deletes the spool.
func (s *spool) remove() error {
	cerr := s.f.Close()
	if err := os.Remove(s.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return cerr
}

// removeSpool deletes the writer's spool, if it has one, once its parts
// are no longer read.
func (w *writer) removeSpool() {
	if w.spool == nil {
		return
	}
	if err := w.spool.remove(); err != nil {
		w.fs.log.Warn("cannot remove a temporary file of an S3 write", "path", w.rel, "file", w.spool.f.Name(), "error", err)
	}
	w.spool = nil
}

// sendSpool uploads the spool as parts of a multipart upload and waits for
// them. A file smaller than a part and not staged stays, for one PutObject
// on Close; an empty staged file is published without an upload, as a
// streaming writer's is.
func (w *writer) sendSpool() error {
	size, partSize := w.spool.size, w.fs.cfg.PartSize
	if size == 0 || (size < partSize && !w.staged) {
		return w.failed()
	}
	if parts := (size + partSize - 1) / partSize; parts > maxParts {
		err := w.fs.fail(errs.ErrNoSpace, "write", w.rel, fmt.Sprintf("the file needs %d parts, more than 10,000: raise %s", parts, KeyPartSize))
		w.setErr(err)
		return err
	}
	for off := int64(0); off < size; off += partSize {
		if err := w.startUpload(); err != nil {
			break
		}
		n := min(partSize, size-off)
		if err := w.sendPart(w.spool.section(off, n), n, func() {}); err != nil {
			break
		}
	}
	w.wg.Wait()
	return w.failed()
}

// spoolErr describes a failure of the local temporary file.
func (fs *FS) spoolErr(op, rel string, err error) error {
	kind := errs.ErrInternal
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		kind = errs.ErrNoSpace
	}
	return fs.fail(kind, op, rel, "local temporary file: "+err.Error())
}
