package client

import (
	"errors"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"sync"
	"testing"
	"testing/fstest"
	"io/fs"
)

func TestZZSmoke(t *testing.T) {
	if os.Getenv("SMOKE") == "" {
		t.Skip()
	}
	ctx := context.Background()
	for _, nosc := range []bool{false, true} {
		f, err := New(Config{Masters: []string{"localhost:41998"}, NoShortCircuit: nosc})
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 9<<20+123)
		rand.Read(data)
		f.Delete(ctx, "/smoke", DeleteOptions{Recursive: true})
		for _, wt := range []string{"MUST_CACHE", "CACHE_THROUGH", "THROUGH", "ASYNC_THROUGH"} {
			w, err := f.Create(ctx, "/smoke/"+wt, CreateFileOptions{Recursive: true, WriteType: wt})
			if err != nil {
				t.Fatal(err)
			}
			// odd-sized writes
			for off := 0; off < len(data); {
				n := min(len(data)-off, 777777)
				if _, err := w.Write(data[off : off+n]); err != nil {
					t.Fatal(err)
				}
				off += n
			}
			if err := w.Close(); err != nil {
				t.Fatal(wt, err)
			}
			for _, rt := range []string{"CACHE", "NO_CACHE", "CACHE_PROMOTE"} {
				r, err := f.OpenFile(ctx, "/smoke/"+wt, OpenOptions{ReadType: rt})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s %s: read %d bytes, %v", wt, rt, len(got), err)
				}
				var wg sync.WaitGroup
				for i := 0; i < 8; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						off := int64(i) * 1234567
						buf := make([]byte, 5<<20)
						n, err := r.ReadAt(buf, off)
						want := data[off:min(int64(len(data)), off+int64(len(buf)))]
						if !bytes.Equal(buf[:n], want) || (n < len(buf) && err != io.EOF) {
							t.Errorf("ReadAt %d: %d %v", off, n, err)
						}
					}(i)
				}
				wg.Wait()
				r.Seek(-100, io.SeekEnd)
				tail, _ := io.ReadAll(r)
				if !bytes.Equal(tail, data[len(data)-100:]) {
					t.Fatal("tail")
				}
				r.Close()
			}
		}
		// cancel leaves incomplete
		w, _ := f.Create(ctx, "/smoke/cancelled", CreateFileOptions{WriteType: "CACHE_THROUGH"})
		w.Write(data)
		w.Cancel()
		if err := w.Close(); err == nil {
			t.Fatal("close after cancel")
		}
		fi, err := f.GetStatus(ctx, "/smoke/cancelled", StatusOptions{})
		if err != nil || fi.Completed {
			t.Fatalf("cancelled: %+v %v", fi, err)
		}
		if _, err := f.OpenFile(ctx, "/smoke/cancelled", OpenOptions{}); err == nil {
			t.Fatal("opened incomplete")
		}
		f.Delete(ctx, "/smoke/cancelled", DeleteOptions{})
		fsys := f.FS(ctx)
		sub, _ := fs.Sub(fsys, "smoke")
		if err := fstest.TestFS(sub, "MUST_CACHE", "THROUGH"); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Stat(fsys, "nope"); !errors_is_notexist(err) {
			t.Fatal(err)
		}
		ws, err := f.Workers(ctx)
		t.Logf("workers %+v %v", ws, err)
		f.Close()
	}
}

func errors_is_notexist(err error) bool { return err != nil && os.IsNotExist(err) || errorsIs(err) }
func errorsIs(err error) bool { return err != nil && fsErrIs(err) }
func fsErrIs(err error) bool { return errorsIsNotExist(err) }
func errorsIsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
