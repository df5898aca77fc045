package main

import (
	"bytes"
	"strings"
	"testing"
)

// execute runs the CLI in process and returns its output and error.
func execute(args ...string) (string, error) {
	root := rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(longSingleDash(args))
	err := root.Execute()
	return out.String(), err
}

// TestGroupHelp: `alluxio fs`, `alluxio fs help` (and fsadmin's) list the
// commands and succeed, as Alluxio's do; a misspelt command still fails.
func TestGroupHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string // commands the listing must name
	}{
		{[]string{"fs"}, []string{"ls", "copyFromLocal", "leader", "masterInfo", "touch", "help"}},
		{[]string{"fs", "help"}, []string{"ls", "copyFromLocal", "leader", "unsetTtl"}},
		{[]string{"fsadmin"}, []string{"report", "journal"}},
		{[]string{"fsadmin", "help"}, []string{"report", "journal"}},
	} {
		out, err := execute(tt.args...)
		if err != nil {
			t.Errorf("alluxio %s: %v\n%s", strings.Join(tt.args, " "), err, out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, "\n  "+w+" ") {
				t.Errorf("alluxio %s does not list %s:\n%s", strings.Join(tt.args, " "), w, out)
			}
		}
	}
	out, err := execute("fs", "help", "ls")
	if err != nil || !strings.Contains(out, "alluxio fs ls [-R]") {
		t.Errorf("alluxio fs help ls: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"fs", "lss"}, {"fs", "help", "lss"}, {"fsadmin", "reprot"}} {
		if out, err := execute(bad...); err == nil {
			t.Errorf("alluxio %s succeeded:\n%s", strings.Join(bad, " "), out)
		}
	}
}
