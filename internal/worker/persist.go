package worker

import (
	"context"
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
	failed  []int64
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

func (p *persister) take() (done, failed []int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, failed = p.done, p.failed
	p.done, p.failed = nil, nil
	return done, failed
}

func (p *persister) requeue(done, failed []int64) {
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
				p.failed = append(p.failed, job.FileId)
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

func (p *persister) persist(ctx context.Context, job *pb.PersistFile) error {
	u, err := p.s.underStorage(job.UfsLocation)
	if err != nil {
		return err
	}
	in, err := p.s.master.OpenFile(ctx, job.Path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return err
	}
	defer in.Close()
	// The master publishes the copy under the file's name when it hears
	// the persist is done (see underfs.TempPath).
	w, err := u.Create(ctx, underfs.TempPath(job.UfsLocation.RelativePath, job.FileId), underfs.CreateOptions{CreateParents: true, Overwrite: true})
	if err != nil {
		return err
	}
	n, err := io.Copy(w, in)
	if err == nil && n != job.Length {
		err = errs.New(errs.ErrCorrupt, "persist %s: read %d bytes, the file has %d", job.Path, n, job.Length)
	}
	if err != nil {
		w.Cancel()
		return err
	}
	p.s.metrics.ufsWritten.Add(float64(n))
	return w.Close()
}
