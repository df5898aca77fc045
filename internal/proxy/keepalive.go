package proxy

import (
	"encoding/xml"
	"net/http"
	"sync"
	"time"
)

// keepalive writes a space every interval until stopped, after the 200
// status and the XML declaration.
type keepalive struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startKeepalive(w http.ResponseWriter, every time.Duration) *keepalive {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	flush := func() {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	flush()
	k := &keepalive{done: make(chan struct{})}
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-k.done:
				return
			case <-t.C:
				w.Write([]byte(" "))
				flush()
			}
		}
	}()
	return k
}

func (k *keepalive) stop() {
	close(k.done)
	k.wg.Wait()
}
