package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// These examples are compiled by go vet and go test but not run: they need
// a cluster (`alluxio local` gives one on localhost).

// A client finds the primary among the masters it is given, retries across
// a failover, and reads and writes files through the workers.
func Example() {
	ctx := context.Background()
	fsys, err := client.New(client.Config{Masters: []string{"localhost:19998", "localhost:20998", "localhost:21998"}})
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()

	if _, err := fsys.CreateDirectory(ctx, "/data", client.CreateDirectoryOptions{Recursive: true, AllowExists: true}); err != nil {
		log.Fatal(err)
	}
	w, err := fsys.Create(ctx, "/data/hello.txt", client.CreateFileOptions{WriteType: "CACHE_THROUGH"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.WriteString(w, "hello, alluxio\n"); err != nil {
		w.Cancel() // nothing of a cancelled file is kept
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // the file is complete only now
		log.Fatal(err)
	}

	r, err := fsys.OpenFile(ctx, "/data/hello.txt", client.OpenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	if _, err := io.Copy(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
}

// Errors keep their kind across the wire: test them with errors.Is.
func ExampleFileSystem_GetStatus() {
	ctx := context.Background()
	fsys, err := client.New(client.Config{Masters: []string{"localhost:19998"}})
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()
	fi, err := fsys.GetStatus(ctx, "/data/hello.txt", client.StatusOptions{})
	switch {
	case errors.Is(err, client.ErrNotFound):
		fmt.Println("no such file")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(fi.Path, fi.Length, "bytes,", fi.InAlluxioPercent, "% cached")
	}
}

// A local directory goes in recursively; Progress tells each file.
func ExampleFileSystem_CopyFromLocal() {
	ctx := context.Background()
	fsys, err := client.New(client.Config{Masters: []string{"localhost:19998"}})
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()
	err = fsys.CopyFromLocal(ctx, "/var/log/app", "/logs/", client.CopyOptions{
		Recursive: true,
		WriteType: "CACHE_THROUGH",
		Progress:  func(e client.CopyEvent) { fmt.Println("copied", e.Src, "to", e.Dst) },
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Persist schedules the copy to the under storage; WaitPersisted waits for
// the worker to finish it, for as long as ctx allows.
func ExampleFileSystem_WaitPersisted() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	fsys, err := client.New(client.Config{Masters: []string{"localhost:19998"}})
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()
	if err := fsys.CreateFrom(ctx, "/tmp/report.csv", strings.NewReader("a,b\n1,2\n"), client.CopyOptions{WriteType: "MUST_CACHE"}); err != nil {
		log.Fatal(err)
	}
	if err := fsys.Persist(ctx, "/tmp/report.csv"); err != nil {
		log.Fatal(err)
	}
	err = fsys.WaitPersisted(ctx, []string{"/tmp/report.csv"}, func(f *client.FileInfo) {
		fmt.Println(f.Path, "is in the under storage")
	})
	if err != nil {
		log.Fatal(err)
	}
}

// FS gives code written against io/fs a read-only view of the namespace.
func ExampleFileSystem_FS() {
	ctx := context.Background()
	fsys, err := client.New(client.Config{Masters: []string{"localhost:19998"}})
	if err != nil {
		log.Fatal(err)
	}
	defer fsys.Close()
	err = fs.WalkDir(fsys.FS(ctx), "data", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Println(name, d.IsDir())
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
