package local_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/local"
)

// deadWriterEnv makes this test binary a writer that starts a file under
// the folder it names, says so, and waits to be killed.
const deadWriterEnv = "ALLUXIO_TEST_DEAD_WRITER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(deadWriterEnv); dir != "" {
		fs, err := local.New(dir, underfs.Options{})
		if err != nil {
			panic(err)
		}
		w, err := fs.Create(context.Background(), "d/e/written", underfs.CreateOptions{CreateParents: true})
		if err != nil {
			panic(err)
		}
		w.Write([]byte("half"))
		os.Stdout.WriteString("writing\n")
		time.Sleep(time.Hour) // until killed
	}
	os.Exit(m.Run())
}

// TestCleanupTakesOnlyDeadWritersFiles: a writer killed mid-write (a real
// process, SIGKILL) leaves its temporary file; Cleanup removes it, but
// not the file of a writer that is still writing, nor one changed within
// the grace period, nor anything else.
func TestCleanupTakesOnlyDeadWritersFiles(t *testing.T) {
	root := t.TempDir()
	fs := newFS(t, root)
	ctx := t.Context()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), deadWriterEnv+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := out.Read(buf); err != nil || string(buf[:n]) != "writing\n" {
		cmd.Process.Kill()
		t.Fatalf("the writer process said %q, %v", buf[:n], err)
	}
	dead, _ := filepath.Glob(filepath.Join(root, "d", "e", local.TempPrefix+"*"))
	if len(dead) != 1 {
		cmd.Process.Kill()
		t.Fatalf("the writer's temporary files: %q; want one", dead)
	}
	if n, err := fs.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("Cleanup while the writer lives = %d, %v; want 0", n, err)
	}
	cmd.Process.Kill()
	cmd.Wait()

	live, err := fs.Create(ctx, "d/live", underfs.CreateOptions{CreateParents: true})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Cancel()
	if err := os.WriteFile(filepath.Join(root, "d", "kept"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := fs.Cleanup(ctx); err != nil || n != 0 {
		t.Fatalf("Cleanup within the grace period = %d, %v; want 0", n, err)
	}
	defer local.SetCleanupGrace(0)()
	if n, err := fs.Cleanup(ctx); err != nil || n != 1 {
		t.Fatalf("Cleanup = %d, %v; want 1 (the dead writer's file)", n, err)
	}
	if _, err := os.Stat(dead[0]); !os.IsNotExist(err) {
		t.Errorf("the dead writer's file is still there: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(root, "d", local.TempPrefix+"*"))
	if len(left) != 1 {
		t.Errorf("temporary files of the live writer after Cleanup: %q; want its one", left)
	}
	if _, err := live.Write([]byte("still writing")); err != nil {
		t.Fatal(err)
	}
	if err := live.Close(); err != nil {
		t.Fatalf("the live writer's Close after Cleanup: %v", err)
	}
	for _, name := range []string{"d/live", "d/kept"} {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "d", "e")); len(entries) != 0 {
		t.Errorf("d/e holds %v after Cleanup", entries)
	}
}
