package chaos

import (
	"context"

	"io"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

// Client is one kind of client the workload drives: the Go client today;
// the S3 under storage, FUSE and S3 API clients can be added as more kinds.
// Paths are absolute Alluxio paths. An error that is the server's answer
// wraps the client package's sentinel for it (client.ErrNotFound, ...), so
// that history.Classify reads every kind alike; an error on the way (no
// server reached, a lost connection, a deadline) wraps client.ErrUnavailable,
// a context error or the I/O error itself.
type Client interface {
	// Create makes an empty, incomplete file owned by the Writer it returns.
	Create(ctx context.Context, path string) (Writer, error)
	// Open opens a complete file for reading.
	Open(ctx context.Context, path string) (Reader, error)
	Stat(ctx context.Context, path string) (Stat, error)
	// List returns the names in dir.
	List(ctx context.Context, dir string) ([]string, error)
	Mkdir(ctx context.Context, path string) error
	Delete(ctx context.Context, path string) error
	Rename(ctx context.Context, src, dst string) error
}

// Writer writes the file Create made.
type Writer interface {
	// Start opens the data path. When it fails, the writer deletes its
	// file again (by id), or tries to.
	Start(ctx context.Context) error
	Write(b []byte) error
	// Complete makes the file complete with what was written; not found
	// means the file this writer created is gone (deleted, renamed or
	// replaced).
	Complete() error
	// Cancel gives up, leaving the file incomplete.
	Cancel()
}

// Reader reads a file Open opened.
type Reader interface {
	io.Reader
	Close() error
	// Opened is the id and length of the file opened.
	Opened() (id, length int64)
}

// Stat is what a client knows of a path.
type Stat struct {
	ID        int64
	IsDir     bool
	Completed bool
	Length    int64
}

// NewGoClient is the Go client as a Client.
func NewGoClient(fs *client.FileSystem) Client { return goClient{fs} }

type goClient struct{ fs *client.FileSystem }

var goCreate = client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20}

func (c goClient) Create(ctx context.Context, path string) (Writer, error) {
	info, err := c.fs.CreateFile(ctx, path, goCreate)
	if err != nil {
		return nil, err
	}
	return &goWriter{fs: c.fs, info: info}, nil
}

type goWriter struct {
	fs   *client.FileSystem
	info *client.FileInfo
	w    *client.FileWriter
}

func (w *goWriter) Start(ctx context.Context) error {
	fw, err := w.fs.OpenWriter(ctx, w.info, goCreate)
	w.w = fw
	return err
}

func (w *goWriter) Write(b []byte) error { _, err := w.w.Write(b); return err }
func (w *goWriter) Complete() error      { return w.w.Close() }
func (w *goWriter) Cancel()              { w.w.Cancel() }

func (c goClient) Open(ctx context.Context, path string) (Reader, error) {
	r, err := c.fs.OpenFile(ctx, path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return nil, err
	}
	return goReader{r}, nil
}

type goReader struct{ *client.FileReader }

func (r goReader) Opened() (int64, int64) { fi := r.Info(); return fi.ID, fi.Length }

func (c goClient) Stat(ctx context.Context, path string) (Stat, error) {
	fi, err := c.fs.GetStatus(ctx, path, client.StatusOptions{})
	if err != nil {
		return Stat{}, err
	}
	return Stat{ID: fi.ID, IsDir: fi.IsDir, Completed: fi.Completed, Length: fi.Length}, nil
}

func (c goClient) List(ctx context.Context, dir string) ([]string, error) {
	infos, err := c.fs.ListStatus(ctx, dir, false, client.StatusOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(infos))
	for _, fi := range infos {
		names = append(names, fi.Name)
	}
	return names, nil
}

func (c goClient) Mkdir(ctx context.Context, path string) error {
	_, err := c.fs.CreateDirectory(ctx, path, client.CreateDirectoryOptions{WriteType: "CACHE_THROUGH"})
	return err
}

func (c goClient) Delete(ctx context.Context, path string) error {
	return c.fs.Delete(ctx, path, client.DeleteOptions{})
}

func (c goClient) Rename(ctx context.Context, src, dst string) error {
	return c.fs.Rename(ctx, src, dst)
}

// opTimeout bounds one operation, data included, so a client stuck on a
// stalled stream cannot hold the run: the client's own retry budget is
// much shorter for the master calls.
const opTimeout = 2 * time.Minute

func opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}
