package conf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseProperties(f *testing.F) {
	for _, seed := range []string{
		"", "a=b", "a: b\n", "a b", "# c\n! d\n", "a=x\\\n  y", "a=\\u0041\\uD83D\\uDE00",
		"a=\\u12", "\\", "a\\", "=\r\n:\r", "k\\ e\\=y=v\\", "a=${b}",
		"alluxio.master.hostname=m1\nalluxio.master.rpc.port=19998\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, keys, err := ParseProperties(strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error %q does not name a line", err)
			}
			return
		}
		if len(keys) != len(m) {
			t.Fatalf("%d keys for %d values", len(keys), len(m))
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Fatalf("key %q has no value", k)
			}
		}
		// Whatever the file holds, Properties must survive it.
		p := New()
		for k, v := range m {
			p.Set(k, v)
		}
		_ = p.Validate()
		for _, k := range keys {
			_, _ = p.Get(k)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{"10s", "5min", "-1", "1.5h", "100", "1day", "500us", "abc", "", "9999999999999d", ".s"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseDuration(in)
		if err != nil {
			return
		}
		// A parsed value has a number first and its sign matches.
		s := strings.TrimSpace(in)
		if d < 0 && !strings.HasPrefix(s, "-") {
			t.Fatalf("ParseDuration(%q) = %v: negative without '-'", in, d)
		}
	})
}

func FuzzParseBytes(f *testing.F) {
	for _, seed := range []string{"64MB", "1GB", "100", "1.5g", "-1", "8EB", "7EB", "x", "", "1KiB"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseBytes(in)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseBytes(%q) = %d", in, n)
		}
		out := FormatBytes(n)
		if !utf8.ValidString(out) {
			t.Fatalf("FormatBytes(%d) = %q", n, out)
		}
		if back, err := ParseBytes(out); err != nil || (n <= 5120 && back != n) {
			t.Fatalf("ParseBytes(FormatBytes(%d)=%q) = %d, %v", n, out, back, err)
		}
	})
}
