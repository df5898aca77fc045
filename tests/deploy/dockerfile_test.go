package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// No container engine runs here, so the Dockerfile is checked as BuildKit
// reads it: it parses with no warning from BuildKit's linter, builds a
// static binary in one stage and runs it in another as a user that is not
// root.
func TestDockerfile(t *testing.T) {
	f, err := os.Open(filepath.Join(repoDir(t), "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("parser warning: %s", w.Short)
	}
	var lint []string
	stages, _, err := instructions.Parse(res.AST, linter.New(&linter.Config{
		Warn: func(rule, desc, url, msg string, loc []parser.Range) { lint = append(lint, rule+": "+msg) },
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(lint) > 0 {
		t.Errorf("BuildKit's linter: %s", strings.Join(lint, "; "))
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a build stage and a run stage", len(stages))
	}
	build, final := stages[0], stages[1]
	var staticBuild, copied, user, entry string
	for _, c := range build.Commands {
		if r, ok := c.(*instructions.RunCommand); ok && strings.Contains(strings.Join(r.CmdLine, " "), "CGO_ENABLED=0 go build") {
			staticBuild = strings.Join(r.CmdLine, " ")
		}
	}
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			if c.From == build.Name {
				copied = fmt.Sprint(c.SourcePaths, " ", c.DestPath)
			}
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entry = strings.Join(c.CmdLine, " ")
		}
	}
	if staticBuild == "" || !strings.Contains(staticBuild, "./cmd/alluxio") {
		t.Errorf("the build stage does not build a static alluxio (CGO_ENABLED=0 go build ./cmd/alluxio)")
	}
	if copied == "" {
		t.Errorf("the run stage does not copy the binary from stage %q", build.Name)
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "0" || u == "root" {
		t.Errorf("the image runs as %q, want a user that is not root", user)
	}
	if entry != "alluxio" {
		t.Errorf("entrypoint %q, want alluxio", entry)
	}
}
