package web

import (
	"bytes"
	"io"
	"os"
	"strings"
)

// tailChunk is how much of the file's end TailLines reads at a time.
const tailChunk = 64 << 10

// maxTail bounds how far back TailLines reads, so a log of one huge line
// cannot make a page read the whole file.
const maxTail = 4 << 20

// TailLines returns the last n lines of the file at path, reading back
// from its end (at most 4 MiB).
func TailLines(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	var buf []byte
	off := size
	for off > 0 && bytes.Count(buf, []byte{'\n'}) <= n && size-off < maxTail {
		step := min(int64(tailChunk), off)
		off -= step
		chunk := make([]byte, step)
		if _, err := f.ReadAt(chunk, off); err != nil && err != io.EOF {
			return nil, err
		}
		buf = append(chunk, buf...)
	}
	text := strings.TrimSuffix(string(buf), "\n")
	if text == "" {
		return nil, nil
	}
	lines := strings.Split(text, "\n")
	if off > 0 && len(lines) > 1 {
		lines = lines[1:] // the first may be cut
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}
