package s3

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

func init() {
	open := func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error) {
		fs, err := New(uri, opts)
		if err != nil {
			return nil, err // not a typed nil in an interface
		}
		return fs, nil
	}
	underfs.Register("s3", open)
	underfs.Register("s3a", open)
}

// FS is an underfs.UnderFileSystem over a bucket, or a prefix of one, of an
// S3-compatible object store.
type FS struct {
	uri    string
	cfg    Config
	client *s3.Client
	log    *slog.Logger
	// uploads bounds the part uploads and copies in flight across all of
	// this store's writers and renames (alluxio.underfs.s3.upload.threads.max).
	uploads chan struct{}
	closed  atomic.Bool
	// tempDirs are where writers that do not stream keep the file
	// (spool.go).
	tempDirs []string
	// permCache holds the mode and owner every entry shows (acl.go).
	permCache permCache
	// copyHook, set only by tests, fails copies of chosen keys: a rename
	// that breaks part way cannot be staged with a real server otherwise.
	copyHook func(key string) error
}

var (
	_ underfs.UnderFileSystem = (*FS)(nil)
	_ underfs.Stager          = (*FS)(nil)
	_ underfs.StagedLister    = (*FS)(nil)
	_ underfs.Capable         = (*FS)(nil)
)

// New opens the store uri names, s3://bucket/prefix, with the mount's
// options. It checks the options and builds a client, but does not reach
// the store: a bad key or a missing bucket shows on the first call.
func New(uri string, opts underfs.Options) (*FS, error) {
	cfg, err := ParseConfig(uri, opts.Properties)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	fs := &FS{uri: uri, cfg: cfg, client: client, log: log.With("ufs", uri),
		uploads: make(chan struct{}, cfg.UploadThreads), tempDirs: opts.TempDirs}
	return fs, nil
}

// newClient builds the SDK client: static credentials when the options
// give keys, else the AWS default chain (environment, shared files, a
// profile, instance roles).
func newClient(cfg Config) (*s3.Client, error) {
	// The SDK's buildable client, so that settings from the environment
	// (AWS_CA_BUNDLE) still apply to the transport.
	httpClient := awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) {
		d.Timeout = 10 * time.Second
		d.KeepAlive = 30 * time.Second
	}).WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = cfg.Connections
		t.MaxIdleConnsPerHost = cfg.Connections
		t.MaxConnsPerHost = cfg.Connections
		t.TLSHandshakeTimeout = 10 * time.Second
		// Response headers must come within the request timeout.
		t.ResponseHeaderTimeout = cfg.RequestTimeout
		// Large bodies: fewer syscalls per byte.
		t.WriteBufferSize = 256 << 10
		t.ReadBufferSize = 256 << 10
	}).WithReadTimeout(cfg.SocketTimeout)
	// The read timeout (a connection that sends nothing for that long
	// fails its request) also ends a request whose body the server stopped
	// taking: Go's transport reads a connection while it writes on it.
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cfg.MaxRetries + 1
				o.MaxBackoff = 5 * time.Second
			})
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")))
	}
	// Loading reads only local sources (environment, ~/.aws); it does not
	// reach the network, so a context without deadline is fine.
	awsCfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, errs.New(errs.ErrInvalidArg, "S3 under storage %s: AWS configuration: %v", cfg.where(), err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// The SDK adds no checksum of its own: writes send the CRC-32 they
		// compute (writer.go), and reads are not checked against a
		// whole-object checksum, which a ranged GET does not have.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// Root returns the URI given to New.
func (fs *FS) Root() string { return fs.uri }

// Close makes later calls fail with errs.ErrUnavailable. Readers and
// writers already handed out keep working; idle connections are dropped.
func (fs *FS) Close() error {
	if fs.closed.CompareAndSwap(false, true) {
		if c, ok := fs.client.Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
	return nil
}

// Capabilities implements underfs.Capable: objects have no permission bits
// or owners, and a rename is a copy and a delete.
func (fs *FS) Capabilities() underfs.Capabilities {
	return underfs.Capabilities{NoModes: true, NoOwners: true, RenameNotAtomic: true}
}

// resolve checks what every method checks first and returns the clean
// relative path.
func (fs *FS) resolve(ctx context.Context, op, p string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fs.ctxErr(op, p, err)
	}
	if fs.closed.Load() {
		return "", fs.fail(errs.ErrUnavailable, op, p, "under file system is closed")
	}
	return underfs.CleanPath(p)
}

// key is the object key of the file at rel; dirKey the key of the
// directory marker at rel, which is also the prefix of its children.
func (fs *FS) key(rel string) string { return fs.cfg.Prefix + rel }

func (fs *FS) dirKey(rel string) string {
	if rel == "" {
		return fs.cfg.Prefix
	}
	return fs.cfg.Prefix + rel + "/"
}

func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

func baseOf(rel string) string {
	if rel == "" {
		return ""
	}
	return path.Base(rel)
}

// acquire takes one of the store's upload slots; release gives it back.
func (fs *FS) acquire(ctx context.Context) error {
	select {
	case fs.uploads <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (fs *FS) release() { <-fs.uploads }
