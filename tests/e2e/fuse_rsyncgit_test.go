package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFuseRsyncAndGit: two tools that write aside and rename over, and
// check what they find by size and modification time. rsync -a copies a
// tree with its modes and times, a second run finds nothing to send, and
// a changed file is sent again; git keeps a repository in the mount
// (lock files renamed over the index and refs, objects written once),
// with reflogs off: they are appended to, which write-once files refuse.
func TestFuseRsyncAndGit(t *testing.T) {
	requireFuse(t)
	for _, tool := range []string{"rsync", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/deps.sh installs it)", tool)
		}
	}
	fm, _ := fuseCluster(t, "512MB")
	goroot := strings.TrimSpace(mustSh(t, "", "go env GOROOT"))

	t.Run("rsync", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "src")
		mustSh(t, "", fmt.Sprintf("cp -r %q %q", filepath.Join(goroot, "src", "os"), src))
		mustSh(t, fm.dir, fmt.Sprintf("rsync -a %q/ tree/", src))
		mustSh(t, fm.dir, fmt.Sprintf("diff -r %q tree", src))
		// Modes and times came along, so a second run sends nothing.
		if out := mustSh(t, fm.dir, fmt.Sprintf("rsync -ai %q/ tree/", src)); strings.TrimSpace(out) != "" {
			t.Fatalf("a second rsync of an unchanged tree sent:\n%s", out)
		}
		changed := filepath.Join(src, "file.go")
		if err := os.WriteFile(changed, []byte("package os // changed\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(changed, 0o600); err != nil {
			t.Fatal(err)
		}
		out := mustSh(t, fm.dir, fmt.Sprintf("rsync -ai %q/ tree/", src))
		if !strings.Contains(out, "file.go") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("rsync after one file changed sent:\n%s", out)
		}
		mustSh(t, fm.dir, fmt.Sprintf("diff -r %q tree", src))
		if got := mustSh(t, fm.dir, "stat -c %a tree/file.go"); strings.TrimSpace(got) != "600" {
			t.Fatalf("the mode rsync gave the replaced file: %s", got)
		}
	})

	t.Run("git", func(t *testing.T) {
		git := "git -c user.name=tester -c user.email=tester@example.com -c init.defaultBranch=main -c core.logAllRefUpdates=false "
		mustSh(t, fm.dir, git+"init -q repo")
		repo := filepath.Join(fm.dir, "repo")
		for i := range 3 {
			mustSh(t, repo, fmt.Sprintf("seq 0 %d > notes && cp notes copy%d", i, i))
			mustSh(t, repo, git+"add -A && "+git+fmt.Sprintf("commit -q -m 'commit %d'", i))
		}
		if got := mustSh(t, repo, git+"log --format=%s"); got != "commit 2\ncommit 1\ncommit 0\n" {
			t.Fatalf("git log: %q", got)
		}
		mustSh(t, repo, git+"fsck --strict")
		if got := mustSh(t, repo, git+"status --porcelain"); got != "" {
			t.Fatalf("git status after the commits: %q", got)
		}
		clone := filepath.Join(t.TempDir(), "clone")
		mustSh(t, "", git+fmt.Sprintf("clone -q %q %q", repo, clone))
		mustSh(t, "", fmt.Sprintf("diff -r -x .git %q %q", repo, clone))
	})
}
