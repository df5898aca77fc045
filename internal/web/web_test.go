package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrometheusName(t *testing.T) {
	for in, want := range map[string]string{
		"Master.FilesCreated":     "Master_FilesCreated",
		"Cluster.BytesReadUfsAll": "Cluster_BytesReadUfsAll",
		"Worker.Bytes-Read/x":     "Worker_Bytes_Read_x",
		"9lives":                  "_lives",
	} {
		if got := PrometheusName(in); got != want {
			t.Errorf("PrometheusName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWritePrometheusGroupsFamilies(t *testing.T) {
	var b strings.Builder
	writePrometheus(&b, []Metric{
		{Name: "Worker.BlocksCached", Type: "GAUGE", Value: 2, Labels: map[string]string{"worker": `h:1"x`}},
		{Name: "Master.FilesCreated", Type: "COUNTER", Value: 3},
		{Name: "Worker.BlocksCached", Type: "GAUGE", Value: 5, Labels: map[string]string{"worker": "h:2"}},
	})
	want := "# TYPE Master_FilesCreated counter\nMaster_FilesCreated 3\n" +
		"# TYPE Worker_BlocksCached gauge\nWorker_BlocksCached{worker=\"h:1\\\"x\"} 2\nWorker_BlocksCached{worker=\"h:2\"} 5\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTailLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "log")
	var sb strings.Builder
	for i := 0; i < 20000; i++ { // more than one chunk back
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lines, err := TailLines(p, 3)
	if err != nil || strings.Join(lines, "|") != "line 19997|line 19998|line 19999" {
		t.Fatalf("%q %v", lines, err)
	}
	lines, err = TailLines(p, 15000)
	if err != nil || len(lines) != 15000 || lines[0] != "line 5000" {
		t.Fatalf("%d lines from %q: %v", len(lines), lines[0], err)
	}
	os.WriteFile(p, nil, 0o644)
	if lines, err := TailLines(p, 3); err != nil || len(lines) != 0 {
		t.Fatalf("an empty log: %q %v", lines, err)
	}
	if _, err := TailLines(filepath.Join(dir, "missing"), 3); err == nil {
		t.Fatal("a missing log read")
	}
}

func TestPrintableDumpsBinary(t *testing.T) {
	if got := printable([]byte("plain <b>text</b>")); got != "plain <b>text</b>" {
		t.Fatalf("text: %q", got)
	}
	got := printable([]byte{0, 1, 0xff, 'a'})
	if !strings.HasPrefix(got, "00000000  00 01 ff 61") {
		t.Fatalf("binary: %q", got)
	}
}
