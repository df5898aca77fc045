package s3

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// TestBufferedWriter: with streaming.upload.enabled=false a writer keeps
// the file in a temporary file of alluxio.tmp.dirs and allocates no part
// buffer; nothing goes to the store before Close, which sends one
// PutObject for a small file and a multipart upload of the file's parts
// for a large one; the temporary file is gone after Close, Cancel, a
// failed Close, and Commit.
func TestBufferedWriter(t *testing.T) {
	srv, bucket := server(t)
	tmp := t.TempDir()
	fs := openWith(t, srv, bucket, map[string]string{KeyPartSize: "5MB", KeyStreamingUpload: "false"},
		underfs.Options{TempDirs: []string{tmp}})
	ctx := t.Context()
	data := make([]byte, 12<<20+17)
	rand.Read(data)

	for _, tc := range []struct {
		name  string
		size  int
		parts string // the suffix of the stored CRC-32: "" for one PutObject
	}{{"small", 1000, ""}, {"large", len(data), "-3"}, {"empty", 0, ""}} {
		w, err := fs.Create(ctx, tc.name, underfs.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for rest := data[:tc.size]; len(rest) > 0; {
			n := min(len(rest), 1<<20+3)
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if left := dirEntries(t, tmp); len(left) != 1 || !strings.HasPrefix(left[0], "alluxio-s3-upload-") {
			t.Fatalf("%s: temporary files while writing: %v; want one", tc.name, left)
		}
		if ww := w.(*writer); ww.made != 0 || ww.uploadID != "" {
			t.Errorf("%s: before Close the writer has %d part buffers and upload %q; want none", tc.name, ww.made, ww.uploadID)
		}
		if n := uploads(t, fs); n != 0 {
			t.Errorf("%s: %d uploads before Close", tc.name, n)
		}
		if _, err := fs.GetStatus(ctx, tc.name); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("%s before Close: %v; want not found", tc.name, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if left := dirEntries(t, tmp); len(left) != 0 {
			t.Errorf("%s: temporary files after Close: %v", tc.name, left)
		}
		if got := read(t, fs, tc.name); got != string(data[:tc.size]) {
			t.Fatalf("%s: read back %d bytes, mismatching", tc.name, len(got))
		}
		checkStoredCRC(t, fs, bucket, tc.name, data[:tc.size], tc.parts)
	}

	t.Run("cancel", func(t *testing.T) {
		w, err := fs.Create(ctx, "canceled", underfs.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Cancel(); err != nil {
			t.Fatal(err)
		}
		if left := dirEntries(t, tmp); len(left) != 0 {
			t.Errorf("temporary files after Cancel: %v", left)
		}
		if _, err := fs.GetStatus(ctx, "canceled"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("after Cancel: %v; want not found", err)
		}
		if n := uploads(t, fs); n != 0 {
			t.Errorf("%d uploads after Cancel", n)
		}
		if _, err := w.Write([]byte("x")); !errors.Is(err, errs.ErrPrecondition) {
			t.Errorf("Write after Cancel: %v", err)
		}
	})

	t.Run("failed close", func(t *testing.T) {
		// Created by someone else while written: Close fails, the large
		// file's upload is aborted, the temporary file removed, and the
		// other file stays.
		w, err := fs.Create(ctx, "raced", underfs.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		write(t, fs, "raced", "theirs")
		if err := w.Close(); !errors.Is(err, errs.ErrAlreadyExists) {
			t.Fatalf("Close over a file made meanwhile: %v; want ErrAlreadyExists", err)
		}
		if left := dirEntries(t, tmp); len(left) != 0 {
			t.Errorf("temporary files after a failed Close: %v", left)
		}
		if got := read(t, fs, "raced"); got != "theirs" {
			t.Errorf("the other file = %q", got)
		}
		if n := uploads(t, fs); n != 0 {
			t.Errorf("%d uploads after a failed Close", n)
		}
	})

	t.Run("staged", func(t *testing.T) {
		for _, size := range []int{0, 1000, len(data)} {
			name := fmt.Sprintf("staged/s%d", size)
			sw, err := fs.CreateStaged(ctx, name, underfs.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sw.Write(data[:size]); err != nil {
				t.Fatal(err)
			}
			tok, err := sw.Commit()
			if err != nil {
				t.Fatal(err)
			}
			if left := dirEntries(t, tmp); len(left) != 0 {
				t.Errorf("%d bytes: temporary files after Commit: %v", size, left)
			}
			if _, err := fs.GetStatus(ctx, name); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%d bytes: visible before Publish: %v", size, err)
			}
			st, err := fs.Publish(ctx, name, tok)
			if err != nil || st.Length != int64(size) {
				t.Fatalf("%d bytes: Publish = %+v, %v", size, st, err)
			}
			if got := read(t, fs, name); got != string(data[:size]) {
				t.Fatalf("%d bytes: read back %d bytes, mismatching", size, len(got))
			}
		}
	})
}

// TestBufferedWriterTempDirMissing: a temporary folder that cannot be
// used fails Create, naming the key and the folder.
func TestBufferedWriterTempDirMissing(t *testing.T) {
	srv, bucket := server(t)
	missing := filepath.Join(t.TempDir(), "gone")
	fs := openWith(t, srv, bucket, map[string]string{KeyStreamingUpload: "false"}, underfs.Options{TempDirs: []string{missing}})
	_, err := fs.Create(t.Context(), "f", underfs.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), KeyStreamingUpload) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Create with a missing temporary folder: %v; want an error naming %s and the folder", err, KeyStreamingUpload)
	}
	if n := uploads(t, fs); n != 0 {
		t.Errorf("%d uploads after a failed Create", n)
	}
}

// BenchmarkBufferedWrite measures a 64 MiB write with and without
// streaming, on the same server.
func BenchmarkBufferedWrite(b *testing.B) {
	props := testclusterStartS3(b)
	data := make([]byte, 64<<20)
	rand.Read(data)
	for _, streaming := range []string{"true", "false"} {
		b.Run("streaming="+streaming, func(b *testing.B) {
			p := map[string]string{}
			for k, v := range props {
				p[k] = v
			}
			p[KeyStreamingUpload] = streaming
			fs, err := New("s3://bucket/bench", underfs.Options{Properties: p, TempDirs: []string{b.TempDir()}})
			if err != nil {
				b.Fatal(err)
			}
			defer fs.Close()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				w, err := fs.Create(b.Context(), "f", underfs.CreateOptions{Overwrite: true, CreateParents: true})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
