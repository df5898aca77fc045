package client

import (
	"errors"
	"io"
	"os"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// WriteRangeTo writes n bytes of the file from off to w, as a server
// answering a read does (the S3 proxy's GET). Blocks cached by a worker on
// this host go from the worker's block file straight to w: io.Copy hands w
// the file itself, which a socket sends with sendfile, without the bytes
// passing through this process. Other blocks are streamed as Read does. A
// short count comes with an error; the reader's position is left
// undefined.
func (r *FileReader) WriteRangeTo(w io.Writer, off, n int64) (int64, error) {
	if r.closed.Load() {
		return 0, errs.New(errs.ErrInvalidArg, "read %s: the reader is closed", r.path)
	}
	if off < 0 || n < 0 || off+n > r.length {
		return 0, errs.New(errs.ErrInvalidArg, "read %s: range %d+%d of a %d byte file", r.path, off, n, r.length)
	}
	var done int64
	for done < n {
		b := r.block(off)
		in := off - b.start
		k := min(n-done, b.length-in)
		m, sent, err := r.sendLocal(w, b, in, k)
		if !sent {
			if _, err := r.Seek(off, io.SeekStart); err != nil {
				return done, err
			}
			m, err = io.Copy(w, io.LimitReader(onlyReader{r}, k))
			if err == nil && m < k {
				err = io.ErrUnexpectedEOF
			}
		}
		done += m
		off += m
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// onlyReader hides every method but Read, so io.Copy does not take the
// FileReader for something it is not.
type onlyReader struct{ io.Reader }

// sendLocal copies k bytes of block b from in to w out of a local
// worker's block file; sent is false when no local worker has the block
// (or its file is out of reach), and nothing was written then.
func (r *FileReader) sendLocal(w io.Writer, b blockRef, in, k int64) (int64, bool, error) {
	if r.f.cfg.NoShortCircuit {
		return 0, false, nil
	}
	for _, l := range b.locs {
		addr := l.Address()
		if !r.f.isLocal(l.Host) || r.isBad(addr) {
			continue
		}
		lf, err := r.local.acquire(addr, b.id, func() (*localFile, error) { return r.openLocalFile(addr, b) })
		if err != nil {
			continue
		}
		if lf.length < in+k {
			r.local.release(lf, true)
			continue
		}
		// A descriptor of its own, so its offset is this copy's alone
		// while other reads of the block use the shared one.
		f, err := os.Open(lf.file.Name())
		if err == nil {
			_, err = f.Seek(in, io.SeekStart)
		}
		if err != nil {
			if f != nil {
				f.Close()
			}
			r.local.release(lf, false)
			continue
		}
		m, err := io.Copy(w, io.LimitReader(f, k))
		f.Close()
		if err == nil && m < k {
			err = errs.New(errs.ErrCorrupt, "block file %s ends before %d", lf.file.Name(), in+k)
		}
		r.local.release(lf, errors.Is(err, errs.ErrCorrupt))
		return m, true, err
	}
	return 0, false, nil
}
