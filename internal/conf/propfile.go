package conf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxPropertiesSize bounds what ParseProperties reads; site files are a few
// kilobytes, and a runaway input should fail rather than eat memory.
const maxPropertiesSize = 16 << 20

// entry is one key=value of a properties file with the line it started on.
type entry struct {
	key, value string
	line       int
	// bare: no '=' or ':' separated the key from the value (Java reads
	// "a b" as a=b and "a" as a=""), which in a site file is almost always
	// a line that is not a property at all.
	bare bool
}

// ParseProperties reads a Java .properties file, the format of Alluxio's
// alluxio-site.properties: "key=value", "key: value" or "key value" per
// logical line; lines starting with # or ! are comments; a line ending in an
// odd number of backslashes continues on the next; \t \n \r \f \\ and
// \uXXXX are escapes, and a backslash before any other character stands for
// that character. The input is read as UTF-8 (Java's loader assumes
// ISO-8859-1, but UTF-8 is what editors write today).
//
// It returns the values, the keys in the order they first appear, and an
// error naming the line of the first malformed escape. A key given twice
// keeps its last value, as in Java.
func ParseProperties(r io.Reader) (map[string]string, []string, error) {
	entries, err := parseEntries(r)
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]string, len(entries))
	var keys []string
	for _, e := range entries {
		if _, seen := m[e.key]; !seen {
			keys = append(keys, e.key)
		}
		m[e.key] = e.value
	}
	return m, keys, nil
}

// parseEntries returns every key=value in file order, duplicates included,
// so a caller can report the line of the value that won.
func parseEntries(r io.Reader) ([]entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPropertiesSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPropertiesSize {
		return nil, fmt.Errorf("properties larger than %d bytes", maxPropertiesSize)
	}
	lines := splitLines(string(data))
	var out []entry
	for i := 0; i < len(lines); {
		start := i
		line := trimLeftBlank(lines[i])
		i++
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue // comments do not continue, even after a backslash
		}
		var logical strings.Builder
		for continues(line) {
			logical.WriteString(line[:len(line)-1])
			if i == len(lines) {
				line = ""
				break
			}
			line = trimLeftBlank(lines[i])
			i++
		}
		logical.WriteString(line)
		key, value, bare, err := splitKeyValue(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start+1, err)
		}
		out = append(out, entry{key: key, value: value, line: start + 1, bare: bare})
	}
	return out, nil
}

// splitLines splits on \n, \r and \r\n, the terminators Java accepts.
func splitLines(s string) []string {
	var lines []string
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			if s != "" {
				lines = append(lines, s)
			}
			return lines
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimLeftBlank(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

// continues reports whether line ends in an odd number of backslashes; an
// even number is escaped backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitKeyValue splits a logical line (leading blanks removed) at the first
// unescaped '=', ':' or blank, then drops blanks and at most one '=' or ':'
// before the value. bare says no '=' or ':' was found.
func splitKeyValue(s string) (key, value string, bare bool, err error) {
	end := len(s)
	valueAt := len(s)
	bare = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' {
			end, valueAt, bare = i, i+1, false
			break
		}
		if isBlank(c) {
			end = i
			j := i
			for j < len(s) && isBlank(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '=' || s[j] == ':') {
				j, bare = j+1, false
			}
			valueAt = j
			break
		}
	}
	if key, err = unescape(s[:end]); err != nil {
		return "", "", false, err
	}
	if value, err = unescape(trimLeftBlank(s[valueAt:])); err != nil {
		return "", "", false, err
	}
	return key, value, bare, nil
}

var errUnicodeEscape = errors.New(`malformed \uXXXX escape`)

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i == len(s) {
			break // a lone trailing backslash stands for nothing, as in Java
		}
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, next, err := unicodeEscape(s, i+1)
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
			i = next
			continue
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		i++
	}
	return b.String(), nil
}

// unicodeEscape decodes the four hex digits at s[i:] and, when they are a
// high surrogate followed by a \u low surrogate, joins the pair, because Java
// writes characters outside the BMP as two UTF-16 escapes.
func unicodeEscape(s string, i int) (rune, int, error) {
	r, ok := hex4(s, i)
	if !ok {
		return 0, 0, errUnicodeEscape
	}
	i += 4
	if utf16.IsSurrogate(r) && strings.HasPrefix(s[i:], `\u`) {
		if low, ok := hex4(s, i+2); ok {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return pair, i + 6, nil
			}
		}
	}
	return r, i, nil
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
