package underfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestCleanPath(t *testing.T) {
	good := []struct{ in, want string }{
		{"", ""},
		{"/", ""},
		{"a", "a"},
		{"/a", "a"},
		{"a/", "a"},
		{"/a/b/", "a/b"},
		{"a/b/c", "a/b/c"},
		{"...", "..."},
		{"a/.hidden", "a/.hidden"},
	}
	for _, tt := range good {
		if got, err := CleanPath(tt.in); err != nil || got != tt.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, mention string }{
		{"..", `".."`},
		{"../x", `"../x"`},
		{"/../x", `"/../x"`},
		{"a/../../x", `".."`},
		{"a/..", `".."`},
		{".", `"."`},
		{"./a", `"."`},
		{"a/./b", `"a/./b"`},
		{"//", "empty component"},
		{"a//b", "empty component"},
		{"//a", "empty component"},
		{"a//", "empty component"},
		{"a\x00b", "NUL"},
		{"\xffa", "UTF-8"},
		{strings.Repeat("n", 256), "255"},
		{strings.Repeat("d/", 2048) + "x", "4096"},
	}
	for _, tt := range bad {
		got, err := CleanPath(tt.in)
		if !errors.Is(err, errs.ErrInvalidPath) || got != "" {
			t.Errorf("CleanPath(%.40q) = %q, %v; want ErrInvalidPath", tt.in, got, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("CleanPath(%.40q) error %q does not mention %s", tt.in, err, tt.mention)
		}
	}
}
