package proxy

import (
	"io"
	"sync"
	"sync/atomic"
)

// Hashing an object (MD5 for its ETag, and whatever checksums the client
// sent) costs a core at about the speed the data arrives, so for large
// bodies receiving, hashing and writing run on goroutines of their own,
// a few buffers apart. Memory stays bounded: pipeBufs buffers per request.
const (
	pipeBufs     = 4
	pipeMinBytes = 4 << 20 // smaller bodies are copied in one goroutine
)

type pipeItem struct {
	i   int // buffer index, -1 for the end
	n   int
	err error // with i == -1: why reading ended (io.EOF when it did well)
}

// pipeCopy copies r to w while hash sees every byte in order on another
// goroutine. It returns the first error of reading, hashing (end returns
// it after the last byte was hashed) or writing.
func (s *Server) pipeCopy(w io.Writer, r io.Reader, hash func([]byte), end func() error) error {
	bufs := make([][]byte, pipeBufs)
	for i := range bufs {
		bufs[i] = make([]byte, copyBuf)
	}
	refs := make([]atomic.Int32, pipeBufs)
	free := make(chan int, pipeBufs)
	for i := range pipeBufs {
		free <- i
	}
	release := func(i int) {
		if refs[i].Add(-1) == 0 {
			free <- i
		}
	}
	toHash, toWrite := make(chan pipeItem, pipeBufs+1), make(chan pipeItem, pipeBufs+1)
	stop := make(chan struct{})
	send := func(it pipeItem) bool {
		for _, c := range []chan pipeItem{toHash, toWrite} {
			select {
			case c <- it:
			case <-stop:
				return false
			}
		}
		return true
	}
	go func() { // reader
		for {
			var i int
			select {
			case i = <-free:
			case <-stop:
				return
			}
			n, err := io.ReadFull(r, bufs[i])
			if n > 0 {
				refs[i].Store(2)
				if !send(pipeItem{i: i, n: n}) {
					return
				}
			}
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			if err != nil {
				send(pipeItem{i: -1, err: err})
				return
			}
		}
	}()
	hashErr := make(chan error, 1)
	var hw sync.WaitGroup
	hw.Add(1)
	go func() { // hasher
		defer hw.Done()
		for {
			var it pipeItem
			select {
			case it = <-toHash:
			case <-stop:
				return
			}
			if it.i < 0 {
				if it.err == io.EOF && end != nil {
					hashErr <- end()
				}
				return
			}
			hash(bufs[it.i][:it.n])
			release(it.i)
		}
	}()
	// On a failure the reader may still be blocked in a read of the body
	// (it ends with the connection); it only ever touches bufs, which are
	// this call's own.
	fail := func(err error) error {
		close(stop)
		hw.Wait()
		return err
	}
	for it := range toWrite {
		if it.i < 0 {
			if it.err != io.EOF {
				return fail(it.err)
			}
			hw.Wait()
			select {
			case err := <-hashErr:
				return err
			default:
				return nil
			}
		}
		if _, err := w.Write(bufs[it.i][:it.n]); err != nil {
			return fail(err)
		}
		release(it.i)
	}
	return nil
}
