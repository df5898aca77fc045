package proxy

import (
	"encoding/xml"
	"net/http"
	"sync"
	"time"
)

// keepalive holds the answer to a long request open, as S3 does for
// CompleteMultipartUpload: once a second (at most one interval) has passed
// without the outcome, it sends the 200 status and the XML declaration,
// then a space every interval, and the outcome follows in the body.
//
// Nothing is sent before that, for two reasons: an outcome
// ready by then is answered as any other request (an error with its own
// status), and a status sent the moment the request body is read races
// with the client still finishing its request: Go's transport cuts the
// connection when the SDK closes the request body after seeing a
// response, before the transport's last read of it ("use of closed
// network connection" on the answer).
type keepalive struct {
	w       http.ResponseWriter
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	started bool
}

func startKeepalive(w http.ResponseWriter, every time.Duration) *keepalive {
	k := &keepalive{w: w, done: make(chan struct{})}
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		// The status goes out after a second (or the interval, if
		// shorter), long past the request's last byte.
		t := time.NewTimer(min(every, time.Second))
		defer t.Stop()
		for {
			select {
			case <-k.done:
				return
			case <-t.C:
				k.tick()
				t.Reset(every)
			}
		}
	}()
	return k
}

func (k *keepalive) tick() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.started {
		k.started = true
		k.w.Header().Set("Content-Type", "application/xml")
		k.w.WriteHeader(http.StatusOK)
		k.w.Write([]byte(xml.Header))
	} else {
		k.w.Write([]byte(" "))
	}
	if f, ok := k.w.(http.Flusher); ok {
		f.Flush()
	}
}

// stop ends the spaces and reports whether the status was sent, in which
// case the outcome goes into the body as a bare XML document.
func (k *keepalive) stop() bool {
	close(k.done)
	k.wg.Wait()
	return k.started
}
