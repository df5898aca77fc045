package underfs

import "testing"

func TestTempPath(t *testing.T) {
	for _, c := range []struct {
		rel  string
		want string
	}{
		{"a/b/file", "a/b/.alluxio_ufs_tmp_42"},
		{"file", ".alluxio_ufs_tmp_42"},
	} {
		got := TempPath(c.rel, 42)
		if got != c.want {
			t.Errorf("TempPath(%q) = %q, want %q", c.rel, got, c.want)
		}
		if !IsTemp(got[len(got)-len(".alluxio_ufs_tmp_42"):]) {
			t.Errorf("IsTemp(%q) is false", got)
		}
	}
	if IsTemp("file") || IsTemp(".alluxio") {
		t.Error("IsTemp accepts an ordinary name")
	}
}
