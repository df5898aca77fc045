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

func TestTempFileID(t *testing.T) {
	if id, ok := TempFileID(".alluxio_ufs_tmp_42"); !ok || id != 42 {
		t.Errorf("TempFileID of TempPath's name = %d, %v", id, ok)
	}
	for _, bad := range []string{"file", ".alluxio_ufs_tmp_", ".alluxio_ufs_tmp_x", ".alluxio_ufs_tmp_042", ".alluxio_ufs_tmp_-1",
		".alluxio_ufs_tmp_0", ".alluxio_ufs_tmp_1.ab", ".alluxio_ufs_tmp.1f2e", ".alluxio_ufs_tmp_99999999999999999999"} {
		if id, ok := TempFileID(bad); ok {
			t.Errorf("TempFileID(%q) = %d, true", bad, id)
		}
	}
}
