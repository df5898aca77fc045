package audit

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type groups map[string][]string

func (g groups) Groups(u string) []string { return g[u] }

// TestLineFormat: the fields, their order, the tabs and the nulls of
// Alluxio's master_audit.log.
func TestLineFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Succeeded: true, Allowed: true, User: "bob", Group: "staff", AuthType: "SIMPLE", Addr: "127.0.0.1:53211",
			Cmd: "createFile", Src: "/a/f", Perm: &Perm{"bob", "staff", 0o644}, Duration: 42 * time.Microsecond},
			"succeeded=true\tallowed=true\tugi=bob,staff (AUTH=SIMPLE)\tip=/127.0.0.1:53211\tcmd=createFile\tsrc=/a/f\tdst=null\tperm=bob:staff:rw-r--r--\texecutionTimeUs=42"},
		{Entry{Succeeded: false, Allowed: false, User: "bob", Group: "bob", AuthType: "TLS", Addr: "127.0.0.1:1",
			Cmd: "rename", Src: "/a", Dst: "/b", Duration: 1500 * time.Nanosecond},
			"succeeded=false\tallowed=false\tugi=bob,bob (AUTH=TLS)\tip=/127.0.0.1:1\tcmd=rename\tsrc=/a\tdst=/b\tperm=null\texecutionTimeUs=1"},
		{Entry{Succeeded: true, Allowed: true, AuthType: "NOSASL", Cmd: "getFileInfo", Src: "/", Perm: &Perm{"root", "root", 0o1777}},
			"succeeded=true\tallowed=true\tugi=null (AUTH=NOSASL)\tip=null\tcmd=getFileInfo\tsrc=/\tdst=null\tperm=root:root:rwxrwxrwx\texecutionTimeUs=0"},
	} {
		if got := string(tc.e.AppendLine(nil)); got != tc.want {
			t.Errorf("line\n got %q\nwant %q", got, tc.want)
		}
	}
}

// syncBuffer is an io.WriteCloser a test reads after Close.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	closed bool
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Close() error { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }

var lineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO  AUDIT_LOG: (succeeded=.*)$`)

// TestWriterWritesEveryEntryFromManyGoroutines: entries appended at once
// from many goroutines are all written, whole, one per line, with the
// user's primary group filled in; Close flushes and closes the file.
func TestWriterWritesEveryEntryFromManyGoroutines(t *testing.T) {
	out := &syncBuffer{}
	w := NewWriter(out, 1000, groups{"bob": {"staff", "wheel"}}, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				w.Append(Entry{Time: time.Now(), Succeeded: true, Allowed: true, User: "bob", AuthType: "SIMPLE", Cmd: "createFile", Src: "/f"})
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !out.closed {
		t.Fatal("Close did not close the output")
	}
	lines := strings.Split(strings.TrimSuffix(out.b.String(), "\n"), "\n")
	if len(lines)+int(w.Dropped()) != 800 || w.Written() != int64(len(lines)) {
		t.Fatalf("%d lines written, %d dropped, Written()=%d; want 800 in all", len(lines), w.Dropped(), w.Written())
	}
	if len(lines) == 0 {
		t.Fatal("nothing written")
	}
	for _, l := range lines {
		m := lineRE.FindStringSubmatch(l)
		if m == nil || !strings.HasPrefix(m[1], "succeeded=true\tallowed=true\tugi=bob,staff (AUTH=SIMPLE)\t") {
			t.Fatalf("line %q is not an audit line of bob,staff", l)
		}
	}
}

// blockedWriter holds every Write until released, as a stuck disk would;
// entered is closed when the first Write begins.
type blockedWriter struct {
	entered, release chan struct{}
	once             *sync.Once
}

func (b blockedWriter) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.entered) })
	<-b.release
	return len(p), nil
}

// TestFullQueueDropsInsteadOfBlocking: with the writer stuck in a write,
// Append still returns at once; what does not fit in the queue is counted
// as dropped, and what fit is written once the writer moves again.
func TestFullQueueDropsInsteadOfBlocking(t *testing.T) {
	bw := blockedWriter{entered: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	w := NewWriter(bw, 4, nil, nil)
	w.Append(Entry{Cmd: "first"})
	select {
	case <-bw.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the writer never wrote the first entry")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 100; i++ {
			w.Append(Entry{Cmd: "createFile"})
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Append blocked behind a stuck writer")
	}
	if d := w.Dropped(); d != 96 {
		t.Fatalf("dropped %d of 100 with room for 4 in the queue", d)
	}
	close(bw.release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Written() != 5 {
		t.Fatalf("written %d, want the first and the 4 queued", w.Written())
	}
}

var _ io.Writer = blockedWriter{}
