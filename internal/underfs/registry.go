package underfs

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// LocalScheme is the scheme of local (and NFS) directories. A URI without
// a scheme, such as "/data", is opened as if it had this one, because that
// is how Alluxio reads alluxio.master.mount.table.root.ufs.
const LocalScheme = "file"

// Options are what a mount tells the implementation besides its URI.
type Options struct {
	// Properties are the mount's options (alluxio fs mount --option k=v),
	// such as credentials for an object store. Implementations ignore keys
	// they do not know.
	Properties map[string]string
	// Logger receives what an implementation reports on its own, such as a
	// SetOwner it skipped. Nil means slog.Default().
	Logger *slog.Logger
	// TempDirs are local directories for temporary files an
	// implementation writes (alluxio.tmp.dirs), one chosen at random per
	// file; none means os.TempDir().
	TempDirs []string
}

// Factory opens an UnderFileSystem rooted at uri, whose scheme is the one
// the factory was registered for.
type Factory func(uri string, opts Options) (UnderFileSystem, error)

// The registry is process-wide, like database/sql's drivers, because
// implementations register from init functions.
var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a Factory available for URIs of a scheme (compared
// without regard to case). It is meant for init functions and panics, as a
// programming error, when the scheme is malformed or already registered or
// f is nil.
func Register(scheme string, f Factory) {
	s := strings.ToLower(scheme)
	if f == nil || s == "" || Scheme(s+":") != s {
		panic(fmt.Sprintf("underfs: Register(%q) with a malformed scheme or a nil factory", scheme))
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[s]; dup {
		panic(fmt.Sprintf("underfs: Register called twice for scheme %q", s))
	}
	registry[s] = f
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for s := range registry {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Open opens the under storage at uri with default Options.
func Open(uri string) (UnderFileSystem, error) {
	return OpenWithOptions(uri, Options{})
}

// OpenWithOptions opens the under storage at uri with the factory
// registered for its scheme. An unknown scheme is errs.ErrInvalidArg; the
// factory's own errors are returned as they are.
func OpenWithOptions(uri string, opts Options) (UnderFileSystem, error) {
	s := Scheme(uri)
	if s == "" {
		s = LocalScheme
	}
	registryMu.RLock()
	f := registry[s]
	registryMu.RUnlock()
	if f == nil {
		known := Schemes()
		if len(known) == 0 {
			return nil, errs.New(errs.ErrInvalidArg,
				"unsupported under storage scheme %q in %q: no scheme is registered (is underfs/local imported?)", s, uri)
		}
		return nil, errs.New(errs.ErrInvalidArg,
			"unsupported under storage scheme %q in %q (supported: %s)", s, uri, strings.Join(known, ", "))
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return f(uri, opts)
}

// Scheme returns the scheme of uri in lower case ("s3" for
// "S3://bucket/x"), or "" when uri has none, as with "/data". Following
// RFC 3986, a scheme is a letter followed by letters, digits, "+", "-" or
// ".", ended by ":".
func Scheme(uri string) string {
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(uri[:i])
		default:
			return ""
		}
	}
	return ""
}
