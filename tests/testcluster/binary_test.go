package testcluster

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoBuild(t *testing.T) {
	t.Parallel()
	out, err := goBuild("./testdata/hello", filepath.Join(t.TempDir(), "hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(out).Output()
	if err != nil || !strings.Contains(string(b), "hello from a built binary") {
		t.Fatalf("running %s: %q, %v", out, b, err)
	}
	if _, err := goBuild("./testdata/missing", filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("building a missing package succeeded")
	}
}

func TestGoBuildWithTags(t *testing.T) {
	t.Parallel()
	for tags, want := range map[string]string{"": "plain", "testclustertag": "tagged"} {
		out, err := goBuild("./testdata/tagged", filepath.Join(t.TempDir(), "tagged"), "-tags", tags)
		if err != nil {
			t.Fatal(err)
		}
		b, err := exec.Command(out).Output()
		if err != nil || strings.TrimSpace(string(b)) != want {
			t.Fatalf("-tags %q: got %q (%v), want %q", tags, b, err, want)
		}
	}
}
