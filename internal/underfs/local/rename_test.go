package local

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRenameNoReplace runs both the atomic path and the fallback, which
// the conformance suite reaches only on file systems without renameat2.
func TestRenameNoReplace(t *testing.T) {
	for name, rename := range map[string]func(src, dst string) error{
		"renameNoReplace": renameNoReplace,
		"renameChecked":   renameChecked,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := func(n string) string { return filepath.Join(dir, n) }
			for _, f := range []string{"a", "b"} {
				if err := os.WriteFile(p(f), []byte(f), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(p("d"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, dst := range []string{"b", "d"} {
				if err := rename(p("a"), p(dst)); !errors.Is(err, syscall.EEXIST) {
					t.Errorf("rename a onto %s = %v; want EEXIST", dst, err)
				}
			}
			if err := rename(p("a"), p("c")); err != nil {
				t.Fatalf("rename a to c: %v", err)
			}
			if b, err := os.ReadFile(p("c")); err != nil || string(b) != "a" {
				t.Errorf("c = %q, %v; want a", b, err)
			}
			if err := rename(p("d"), p("e")); err != nil {
				t.Errorf("rename of a directory: %v", err)
			}
			if err := rename(p("missing"), p("f")); !errors.Is(err, syscall.ENOENT) {
				t.Errorf("rename of a missing file = %v; want ENOENT", err)
			}
		})
	}
}
