package worker

import (
	"context"
	"errors"
	"io"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// persister copies ASYNC_THROUGH files to the under storage when the master
// asks. It reads the file through the ordinary client, so blocks cached on
// other workers are found too. What it finished is reported with the next
// heartbeat; a job lost with a crashed worker is handed out again by the
// master, which keeps the file TO_BE_PERSISTED in its journal until then.
type persister struct {
	s       *Server
	mu      sync.Mutex
	queue   []*pb.PersistFile
	pending map[int64]bool
	done    []int64
	failed  []*pb.PersistFailure
	wake    chan struct{}
}

func newPersister(s *Server) *persister {
	return &persister{s: s, pending: map[int64]bool{}, wake: make(chan struct{}, 1)}
}

func (p *persister) add(job *pb.PersistFile) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending[job.FileId] {
		return
	}
	p.pending[job.FileId] = true
	p.queue = append(p.queue, job)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *persister) take() (done []int64, failed []*pb.PersistFailure) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, failed = p.done, p.failed
	p.done, p.failed = nil, nil
	return done, failed
}

func (p *persister) requeue(done []int64, failed []*pb.PersistFailure) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = append(p.done, done...)
	p.failed = append(p.failed, failed...)
}

func (p *persister) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		}
		for {
			p.mu.Lock()
			if len(p.queue) == 0 {
				p.mu.Unlock()
				break
			}
			job := p.queue[0]
			p.queue = p.queue[1:]
			p.mu.Unlock()
			err := p.persist(ctx, job)
			p.mu.Lock()
			delete(p.pending, job.FileId)
			if err != nil {
				p.failed = append(p.failed, failure(job.FileId, err))
			} else {
				p.done = append(p.done, job.FileId)
			}
			p.mu.Unlock()
			if err != nil {
				p.s.log.Warn("persist failed", "path", job.Path, "err", err)
			} else {
				p.s.log.Info("persisted", "path", job.Path, "bytes", job.Length)
			}
		}
	}
}

// readError marks a failure to read the file being persisted: whatever
// its kind, it says nothing about whether the under storage can hold the
// file, so the master hands the job out again.
type readError struct{ error }

func (e readError) Unwrap() error { return e.error }

// failure describes a failed persist for the master, which marks the file
// failed for good when the under storage refused it for good (see
// master.permanent) and retries it otherwise.
func failure(id int64, err error) *pb.PersistFailure {
	code := errs.Code(err)
	if errors.As(err, new(readError)) {
		code = "UNAVAILABLE"
	}
	return &pb.PersistFailure{FileId: id, ErrorCode: code, Message: errs.Message(err)}
}

func (p *persister) persist(ctx context.Context, job *pb.PersistFile) error {
	u, err := p.s.underStorage(job.UfsLocation)
	if err != nil {
		return err
	}
	in, err := p.s.master.OpenFile(ctx, job.Path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return readError{err}
	}
	defer in.Close()
	// The master publishes the copy under the file's name when it hears
	// the persist is done (see underfs.TempPath).
	w, err := u.Create(ctx, underfs.TempPath(job.UfsLocation.RelativePath, job.FileId), underfs.CreateOptions{CreateParents: true, Overwrite: true})
	if err != nil {
		return err
	}
	n, err := io.Copy(w, readerOnly{in})
	if err == nil && n != job.Length {
		err = readError{errs.New(errs.ErrCorrupt, "persist %s: read %d bytes, the file has %d", job.Path, n, job.Length)}
	}
	if err != nil {
		w.Cancel()
		return err
	}
	p.s.metrics.ufsWritten.Add(float64(n))
	return w.Close()
}

// readerOnly marks the errors of reading the file as read errors, so
// io.Copy's error tells which side failed.
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		err = readError{err}
	}
	return n, err
}
