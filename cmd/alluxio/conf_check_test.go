package main

import (
	"strings"
	"testing"
)

// TestBadPropertiesNameTheKey: a bad value stops any command before it
// connects, with the key, the value and where it was set; never a flag the
// user did not pass or an empty value.
func TestBadPropertiesNameTheKey(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALLUXIO_CONF_DIR", t.TempDir())
	quick := "-Dalluxio.user.rpc.retry.max.duration=1s"
	for _, tt := range []struct {
		args    []string
		want    []string
		notWant string
	}{
		{[]string{"fs", "copyFromLocal", quick, "-Dalluxio.user.file.buffer.bytes=0", "README.md", "/x"},
			[]string{`alluxio.user.file.buffer.bytes ("0")`, "at least 1B", "set by -D"}, "--buffersize"},
		{[]string{"fs", "copyFromLocal", quick, "-Dalluxio.user.file.buffer.bytes=lots", "README.md", "/x"},
			[]string{`alluxio.user.file.buffer.bytes ("lots")`}, "--buffersize"},
		{[]string{"fs", "ls", quick, "-Dalluxio.user.file.writetype.default=BOGUS", "/"},
			[]string{`alluxio.user.file.writetype.default ("BOGUS")`, "MUST_CACHE"}, `""`},
		{[]string{"getConf", "-Dalluxio.security.authentication.type=KERBEROS", "alluxio.security.authentication.type"},
			[]string{`alluxio.security.authentication.type ("KERBEROS")`, "NOSASL, SIMPLE, CUSTOM"}, ""},
		{[]string{"getConf", "-Dalluxio.user.block.size.bytes.default=0", "alluxio.user.block.size.bytes.default"},
			[]string{`alluxio.user.block.size.bytes.default ("0")`, "at least 1MB"}, ""},
		{[]string{"getConf", "-Dalluxio.user.file.read.ahead.blocks=65", "alluxio.user.file.read.ahead.blocks"},
			[]string{`alluxio.user.file.read.ahead.blocks ("65")`, "at most 64"}, ""},
		{[]string{"fs", "ls", quick, "-Dalluxio.user.file.read.ahead.blocks=-1", "/"},
			[]string{`alluxio.user.file.read.ahead.blocks ("-1")`, "at least 0", "set by -D"}, ""},
	} {
		out, err := execute(tt.args...)
		if err == nil {
			t.Errorf("alluxio %s succeeded:\n%s", strings.Join(tt.args, " "), out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("alluxio %s: error %q does not name %s", strings.Join(tt.args, " "), err, w)
			}
		}
		if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
			t.Errorf("alluxio %s: error %q mentions %s", strings.Join(tt.args, " "), err, tt.notWant)
		}
	}
}
