package e2e

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// runTTY runs the CLI with m's configuration under a pseudo terminal, as
// a person at a terminal would, and returns what the terminal showed.
func runTTY(m *cluster.Master, args ...string) (string, error) {
	m.T.Helper()
	cmd := exec.Command(m.Bin, append(args, m.Defines()...)...)
	cmd.Env = append(os.Environ(), m.Env()...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 140})
	if err != nil {
		m.T.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	_, rerr := io.Copy(&out, f)
	// Linux ends a pty's reads with EIO once the child has closed it.
	if rerr != nil && !errors.Is(rerr, syscall.EIO) {
		m.T.Fatal(rerr)
	}
	return out.String(), cmd.Wait()
}

// Copies, load and persist of a large file or of many files draw one
// progress bar (bytes, rate, time left) on a terminal, and print only
// their lines when the output is a pipe.
func TestProgressOnATerminalOnly(t *testing.T) {
	m := cluster.NewMaster(t)
	cluster.StartWorker(t, m, "worker0", "256MB")
	dir := t.TempDir()
	data := make([]byte, 24<<20)
	rand.Read(data)
	local := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(local, data, 0o644); err != nil {
		t.Fatal(err)
	}
	isBar := func(out, name string) bool {
		return strings.Contains(out, name) && strings.Contains(out, "24.0 MiB / 24.0 MiB") &&
			strings.Contains(out, "100 %") && strings.Contains(out, "ETA") && strings.Contains(out, "MiB/s")
	}

	// Piped: the lines scripts read, and nothing else.
	piped := m.Must("fs", "copyFromLocal", "--writeType", "MUST_CACHE", local, "/piped.bin")
	if piped != "Copied file://"+local+" to /piped.bin\n" {
		t.Fatalf("piped copyFromLocal printed %q", piped)
	}
	if out := m.Must("fs", "copyToLocal", "/piped.bin", filepath.Join(dir, "piped.out")); strings.Contains(out, "ETA") || strings.Contains(out, "\r") {
		t.Fatalf("piped copyToLocal drew a bar: %q", out)
	}

	steps := []struct {
		name string
		args []string
		line string
	}{
		{"copyFromLocal", []string{"fs", "copyFromLocal", "--writeType", "MUST_CACHE", local, "/tty.bin"}, "Copied file://" + local + " to /tty.bin"},
		{"copyToLocal", []string{"fs", "copyToLocal", "/tty.bin", filepath.Join(dir, "tty.out")}, "Copied /tty.bin to file://"},
		{"cp", []string{"fs", "cp", "/tty.bin", "/tty-copy.bin"}, "Copied /tty.bin to /tty-copy.bin"},
		{"persist", []string{"fs", "persist", "/tty.bin"}, "persisted file /tty.bin with size 25165824"},
	}
	for _, s := range steps {
		out, err := runTTY(m, s.args...)
		if err != nil || !isBar(out, s.name) || !strings.Contains(out, s.line) {
			t.Fatalf("%s on a terminal (%v) showed:\n%q", s.name, err, out)
		}
	}
	// The same commands piped print their lines alone.
	for _, s := range steps[1:] {
		args := append([]string(nil), s.args...)
		for i, a := range args {
			args[i] = strings.NewReplacer("/tty.bin", "/piped.bin", "/tty-copy.bin", "/piped-copy.bin", "tty.out", "piped2.out").Replace(a)
		}
		out := m.Must(args...)
		if strings.Contains(out, "ETA") || strings.Contains(out, "\r") || strings.Contains(out, "\x1b") ||
			strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("%s piped printed %q", s.name, out)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "tty.out"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("copyToLocal on a terminal wrote %d bytes (%v), want the %d copied in", len(got), err, len(data))
	}
	// Many files: one bar for the bytes of them all.
	tree := filepath.Join(dir, "tree")
	if err := os.Mkdir(tree, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 24; i++ {
		if err := os.WriteFile(filepath.Join(tree, fmt.Sprintf("f%02d", i)), data[i<<20:(i+1)<<20], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runTTY(m, "fs", "copyFromLocal", "--writeType", "MUST_CACHE", tree, "/tree")
	if err != nil || !isBar(out, "copyFromLocal") || strings.Count(out, "Copied file://") != 24 {
		t.Fatalf("copyFromLocal of 24 files on a terminal (%v) showed:\n%q", err, out)
	}
	// load reads it back from the under storage after a free.
	m.Must("fs", "free", "/tty.bin")
	out, err = runTTY(m, "fs", "load", "/tty.bin")
	if err != nil || !isBar(out, "load") || !strings.Contains(out, "/tty.bin loaded") {
		t.Fatalf("load on a terminal (%v) showed:\n%q", err, out)
	}
	m.Must("fs", "free", "/piped.bin")
	if out := m.Must("fs", "load", "/piped.bin"); out != "/piped.bin loaded\n" {
		t.Fatalf("load piped printed %q", out)
	}
}
