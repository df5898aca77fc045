package conf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
		keys []string
	}{
		{"empty", "", map[string]string{}, nil},
		{"equals", "a=b", map[string]string{"a": "b"}, []string{"a"}},
		{"colon", "a: b", map[string]string{"a": "b"}, []string{"a"}},
		{"space", "a b", map[string]string{"a": "b"}, []string{"a"}},
		{"spaces around equals", "a  =   b", map[string]string{"a": "b"}, []string{"a"}},
		{"tab and colon", "a\t:\tb", map[string]string{"a": "b"}, []string{"a"}},
		{"only first separator", "a=b=c:d", map[string]string{"a": "b=c:d"}, []string{"a"}},
		{"space then equals in value", "a = =b", map[string]string{"a": "=b"}, []string{"a"}},
		{"trailing blanks kept", "a=b  ", map[string]string{"a": "b  "}, []string{"a"}},
		{"key only", "a", map[string]string{"a": ""}, []string{"a"}},
		{"key and equals", "a=", map[string]string{"a": ""}, []string{"a"}},
		{"empty key", "=b", map[string]string{"": "b"}, []string{""}},
		{"comments and blanks", "# c\n! c\n\n   \n  # indented\na=1\n", map[string]string{"a": "1"}, []string{"a"}},
		{"comment continuation ignored", "# c \\\na=1", map[string]string{"a": "1"}, []string{"a"}},
		{"hash inside value", "a=b#c", map[string]string{"a": "b#c"}, []string{"a"}},
		{"leading whitespace", "   \t a=1", map[string]string{"a": "1"}, []string{"a"}},
		{"crlf", "a=1\r\nb=2\r\n", map[string]string{"a": "1", "b": "2"}, []string{"a", "b"}},
		{"cr only", "a=1\rb=2", map[string]string{"a": "1", "b": "2"}, []string{"a", "b"}},
		{"continuation", "a=one, \\\n    two, \\\n three", map[string]string{"a": "one, two, three"}, []string{"a"}},
		{"continuation crlf", "a=x\\\r\n  y", map[string]string{"a": "xy"}, []string{"a"}},
		{"continuation at eof", "a=x\\", map[string]string{"a": "x"}, []string{"a"}},
		{"continuation line looks like comment", "a=x\\\n#y", map[string]string{"a": "x#y"}, []string{"a"}},
		{"escaped backslash no continuation", "a=x\\\\\nb=y", map[string]string{"a": `x\`, "b": "y"}, []string{"a", "b"}},
		{"continuation in key", "ab\\\n  c=1", map[string]string{"abc": "1"}, []string{"abc"}},
		{"escapes", `a=\t\n\r\f\\\=\:\ \#x`, map[string]string{"a": "\t\n\r\f\\=: #x"}, []string{"a"}},
		{"escaped separators in key", `a\=b\:c\ d=1`, map[string]string{"a=b:c d": "1"}, []string{"a=b:c d"}},
		{"unicode escape", `a=\u0041\u00e9\u4e2d`, map[string]string{"a": "Aé中"}, []string{"a"}},
		{"unicode escape upper hex", `a=\u00E9`, map[string]string{"a": "é"}, []string{"a"}},
		{"surrogate pair", `a=\uD83D\uDE00`, map[string]string{"a": "😀"}, []string{"a"}},
		{"lone surrogate", `a=\uD83Dx`, map[string]string{"a": "\uFFFDx"}, []string{"a"}},
		{"unknown escape drops backslash", `a=\q\é`, map[string]string{"a": "qé"}, []string{"a"}},
		{"utf8 value", "a=héllo", map[string]string{"a": "héllo"}, []string{"a"}},
		{"duplicate keeps last, first order", "a=1\nb=2\na=3", map[string]string{"a": "3", "b": "2"}, []string{"a", "b"}},
		{"template kept raw", "a=${b}/x", map[string]string{"a": "${b}/x"}, []string{"a"}},
		{"alluxio sample", "alluxio.master.hostname=m1\nalluxio.master.journal.type=EMBEDDED\n" +
			"alluxio.master.embedded.journal.addresses=m1:19200,m2:19200,m3:19200\n",
			map[string]string{
				"alluxio.master.hostname":                   "m1",
				"alluxio.master.journal.type":               "EMBEDDED",
				"alluxio.master.embedded.journal.addresses": "m1:19200,m2:19200,m3:19200",
			},
			[]string{"alluxio.master.hostname", "alluxio.master.journal.type", "alluxio.master.embedded.journal.addresses"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, keys, err := ParseProperties(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("values = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(keys, tt.keys) {
				t.Errorf("keys = %q, want %q", keys, tt.keys)
			}
		})
	}
}

func TestParsePropertiesErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`a=\u12`, "line 1: malformed"},
		{"a=1\n\n# x\nb=\\uZZZZ", "line 4: malformed"},
		{"a=1\nb=x\\\n  \\u00", "line 2: malformed"},
		{`\u12x=1`, "line 1: malformed"},
	}
	for _, tt := range tests {
		_, _, err := ParseProperties(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseProperties(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParsePropertiesReadError(t *testing.T) {
	boom := errors.New("boom")
	if _, _, err := ParseProperties(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
}

func TestParseEntriesLines(t *testing.T) {
	in := "# header\n\na=1\nb=x\\\n  y\r\nc=3\rd=4"
	entries, err := parseEntries(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{{"a", "1", 3, false}, {"b", "xy", 4, false}, {"c", "3", 6, false}, {"d", "4", 7, false}}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("entries = %+v, want %+v", entries, want)
	}
}
