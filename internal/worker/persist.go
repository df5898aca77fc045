package worker

import (
	"context"
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
	failed  []int64
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

func (p *persister) take() (done, failed []int64, tokens map[int64][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, failed, tokens = p.done, p.failed, p.tokens
	p.done, p.failed, p.tokens = nil, nil, map[int64][]byte{}
	return done, failed, tokens
}

func (p *persister) requeue(done, failed []int64, tokens map[int64][]byte) {
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
				p.failed = append(p.failed, job.FileId)
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

func (p *persister) persist(ctx context.Context, job *pb.PersistFile) ([]byte, error) {
	u, err := p.s.underStorage(job.UfsLocation)
	if err != nil {
		return nil, err
	}
	in, err := p.s.master.OpenFile(ctx, job.Path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// The master publishes the copy when it hears the persist is done.
	w, err := stageCopy(ctx, u, job.UfsLocation.RelativePath, job.FileId, 0)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(w, in)
	if err == nil && n != job.Length {
		err = errs.New(errs.ErrCorrupt, "persist %s: read %d bytes, the file has %d", job.Path, n, job.Length)
	}
	if err != nil {
		w.Cancel()
		return nil, err
	}
	p.s.metrics.ufsWritten.Add(float64(n))
	return w.Commit()
}
