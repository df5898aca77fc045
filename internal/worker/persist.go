package worker

import (
	"context"
	"errors"
	"io"
	"sync"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
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
	tokens  map[int64][]byte // publish tokens of done persists that are staged
	failed  []*pb.PersistFailure
	wake    chan struct{}
}

func newPersister(s *Server) *persister {
	return &persister{s: s, pending: map[int64]bool{}, tokens: map[int64][]byte{}, wake: make(chan struct{}, 1)}
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

func (p *persister) take() (done []int64, failed []*pb.PersistFailure, tokens map[int64][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, failed, tokens = p.done, p.failed, p.tokens
	p.done, p.failed, p.tokens = nil, nil, map[int64][]byte{}
	return done, failed, tokens
}

func (p *persister) requeue(done []int64, failed []*pb.PersistFailure, tokens map[int64][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = append(p.done, done...)
	p.failed = append(p.failed, failed...)
	for id, t := range tokens {
		p.tokens[id] = t
	}
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
			token, err := p.persist(ctx, job)
			p.mu.Lock()
			delete(p.pending, job.FileId)
			if err != nil {
				p.failed = append(p.failed, failure(job.FileId, err))
			} else {
				p.done = append(p.done, job.FileId)
				if len(token) > 0 {
					p.tokens[job.FileId] = token
				}
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

func (p *persister) persist(ctx context.Context, job *pb.PersistFile) ([]byte, error) {
	u, err := p.s.underStorage(job.UfsLocation)
	if err != nil {
		return nil, err
	}
	in, err := p.s.master.OpenFile(ctx, job.Path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return nil, readError{err}
	}
	defer in.Close()
	// The master publishes the copy when it hears the persist is done.
	w, err := stageCopy(ctx, u, job.UfsLocation.RelativePath, job.FileId, 0)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(w, readerOnly{in})
	if err == nil && n != job.Length {
		err = readError{errs.New(errs.ErrCorrupt, "persist %s: read %d bytes, the file has %d", job.Path, n, job.Length)}
	}
	if err != nil {
		w.Cancel()
		return nil, err
	}
	p.s.metrics.ufsWritten.Add(float64(n))
	return w.Commit()
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
