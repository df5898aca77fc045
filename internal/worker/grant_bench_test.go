package worker

import (
	"testing"
	"time"
)

// BenchmarkGrantLive is the check a block stream makes before each chunk
// (a MiB by default): its cost per GB streamed is 1024 times its time.
//
//	go test -run '^$' -bench GrantLive ./internal/worker/
func BenchmarkGrantLive(b *testing.B) {
	g := &grant{expiresMs: time.Now().Add(time.Hour).UnixMilli()}
	for b.Loop() {
		if err := g.live(); err != nil {
			b.Fatal(err)
		}
	}
}
