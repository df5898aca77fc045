package s3

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// The mount options this store reads, with Alluxio's names.
const (
	KeyAccessKey       = "s3a.accessKeyId"
	KeySecretKey       = "s3a.secretKey"
	KeyAccessKeyOld    = "aws.accessKeyId"
	KeySecretKeyOld    = "aws.secretKey"
	KeyEndpoint        = conf.UnderfsS3Endpoint
	KeyRegion          = conf.UnderfsS3Region
	KeyPathStyle       = conf.UnderfsS3PathStyle
	KeyUploadThreads   = conf.UnderfsS3UploadThreads
	KeyPartSize        = conf.UnderfsS3PartSize
	KeyStreamingUpload = conf.UnderfsS3StreamingUpload
	KeyDefaultMode     = conf.UnderfsS3DefaultMode
	KeyOwnerMapping    = conf.UnderfsS3OwnerMapping
	KeyInheritACL      = conf.UnderfsS3InheritACL
	KeyUploadCleanAge  = conf.UnderfsS3UploadCleanAge
	KeyRequestTimeout  = conf.UnderfsS3RequestTimeout
	KeySocketTimeout   = conf.UnderfsS3SocketTimeout
	KeyMaxErrorRetry   = conf.UnderfsS3MaxErrorRetry
	KeyReadParallelism = conf.UnderfsS3ReadParallelism
	KeyConnectionsMax  = conf.UnderfsS3ConnectionsMax
	KeySecureHTTP      = conf.UnderfsS3SecureHTTP
)

// Limits S3 puts on multipart uploads.
const (
	minPartSize = 5 << 20
	maxPartSize = 5 << 30
	maxParts    = 10000
)

// Config is a mount's S3 settings, parsed once from its URI and options.
type Config struct {
	Bucket string
	// Prefix is the key prefix of the root: "" for the bucket's root,
	// otherwise ending in "/".
	Prefix string

	AccessKey, SecretKey string // both or neither; neither: the AWS default chain
	Endpoint             string // "" for AWS itself
	Region               string // "" to take the default chain's region
	PathStyle            bool

	UploadThreads int   // part uploads (and copies) in flight per store
	PartSize      int64 // bytes per multipart upload part
	// StreamingUpload: parts go up while the file is written (writer.go);
	// otherwise the file goes to a local temporary file first and up on
	// Close (spool.go).
	StreamingUpload bool
	// WriterParts bounds the parts one writer has in memory (filling one,
	// the rest uploading), so a writer holds at most WriterParts*PartSize.
	WriterParts int
	// ReadParallelism is how many ranged GETs a parallel read keeps in
	// flight.
	ReadParallelism int
	Connections     int

	DefaultMode  os.FileMode
	OwnerMapping map[string]string // canonical id -> user name
	// InheritACL: the mode comes from the bucket's ACL (acl.go).
	InheritACL bool

	UploadCleanAge time.Duration
	RequestTimeout time.Duration
	// SocketTimeout bounds a stall of a transfer under way: a request
	// body that cannot be sent, or a response body that stops coming.
	SocketTimeout time.Duration
	MaxRetries    int
}

// DefaultConfig is the configuration with every option at its default.
func DefaultConfig() Config {
	return Config{
		UploadThreads:   20,
		PartSize:        16 << 20,
		StreamingUpload: true,
		InheritACL:      true,
		WriterParts:     4,
		ReadParallelism: 8,
		Connections:     64,
		DefaultMode:     0o700,
		UploadCleanAge:  72 * time.Hour,
		RequestTimeout:  time.Minute,
		SocketTimeout:   50 * time.Second,
		MaxRetries:      3,
	}
}

// ParseConfig reads uri (s3://bucket/prefix or s3a://...) and the mount's
// options. Errors name the key and the bad value, never a secret.
func ParseConfig(uri string, props map[string]string) (Config, error) {
	c := DefaultConfig()
	u, err := url.Parse(uri)
	if err != nil || (!strings.EqualFold(u.Scheme, "s3") && !strings.EqualFold(u.Scheme, "s3a")) {
		return c, errs.New(errs.ErrInvalidArg, "%q is not an S3 URI (want s3://bucket/prefix)", uri)
	}
	if u.Host == "" {
		return c, errs.New(errs.ErrInvalidArg, "S3 URI %q names no bucket (want s3://bucket/prefix)", uri)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() != "" {
		return c, errs.New(errs.ErrInvalidArg, "S3 URI %q: put credentials and settings in mount options, not in the URI", redactURI(u))
	}
	c.Bucket = u.Host
	if p := strings.Trim(u.Path, "/"); p != "" {
		for part := range strings.SplitSeq(p, "/") {
			if part == "" || part == "." || part == ".." {
				return c, errs.New(errs.ErrInvalidArg, "S3 URI %q: prefix has an empty, . or .. component", uri)
			}
		}
		c.Prefix = p + "/"
	}

	var bad []string
	get := func(keys ...string) (string, string, bool) {
		for _, k := range keys {
			if v, ok := props[k]; ok {
				return k, strings.TrimSpace(v), true
			}
		}
		return "", "", false
	}
	boolean := func(key string, dst *bool) {
		if _, v, ok := get(key); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s (%q) is not true or false", key, v))
			}
			*dst = b
		}
	}
	if k, v, ok := get(KeyAccessKey, KeyAccessKeyOld); ok {
		if v == "" {
			bad = append(bad, k+" is empty")
		}
		c.AccessKey = v
	}
	if k, v, ok := get(KeySecretKey, KeySecretKeyOld); ok {
		if v == "" {
			bad = append(bad, k+" is empty")
		}
		c.SecretKey = v
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		bad = append(bad, fmt.Sprintf("give both %s and %s, or neither (to use the AWS default credentials)", KeyAccessKey, KeySecretKey))
	}
	secure := true
	boolean(KeySecureHTTP, &secure)
	if _, v, ok := get(KeyEndpoint); ok && v != "" {
		ep := v
		if !strings.Contains(ep, "://") {
			ep = map[bool]string{true: "https://", false: "http://"}[secure] + ep
		}
		eu, err := url.Parse(ep)
		if err != nil || eu.Host == "" || (eu.Scheme != "http" && eu.Scheme != "https") || eu.User != nil {
			bad = append(bad, fmt.Sprintf("%s (%q) is not an http(s) URL", KeyEndpoint, v))
		}
		c.Endpoint = ep
	}
	if _, v, ok := get(KeyRegion); ok {
		c.Region = v
	}
	boolean(KeyPathStyle, &c.PathStyle)
	boolean(KeyStreamingUpload, &c.StreamingUpload)
	boolean(KeyInheritACL, &c.InheritACL)
	integer := func(key string, lo, hi int, dst *int) {
		if _, v, ok := get(key); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				bad = append(bad, fmt.Sprintf("%s (%q) must be a whole number from %d to %d", key, v, lo, hi))
				return
			}
			*dst = n
		}
	}
	integer(KeyUploadThreads, 1, 1024, &c.UploadThreads)
	integer(KeyReadParallelism, 1, 256, &c.ReadParallelism)
	integer(KeyConnectionsMax, 1, 4096, &c.Connections)
	integer(KeyMaxErrorRetry, 0, 100, &c.MaxRetries)
	if _, v, ok := get(KeyPartSize); ok {
		n, err := conf.ParseBytes(v)
		if err != nil || n < minPartSize || n > maxPartSize {
			bad = append(bad, fmt.Sprintf("%s (%q) must be a size from 5MB to 5GB (S3's limits for a part)", KeyPartSize, v))
		} else {
			c.PartSize = n
		}
	}
	duration := func(key string, dst *time.Duration) {
		if _, v, ok := get(key); ok {
			d, err := conf.ParseDuration(v)
			if err != nil || d <= 0 {
				bad = append(bad, fmt.Sprintf("%s (%q) must be a positive duration", key, v))
				return
			}
			*dst = d
		}
	}
	duration(KeyUploadCleanAge, &c.UploadCleanAge)
	duration(KeyRequestTimeout, &c.RequestTimeout)
	duration(KeySocketTimeout, &c.SocketTimeout)
	if _, v, ok := get(KeyDefaultMode); ok {
		m, err := strconv.ParseUint(v, 8, 32)
		if err != nil || m > 0o777 {
			bad = append(bad, fmt.Sprintf("%s (%q) must be octal permission bits such as 0700", KeyDefaultMode, v))
		} else {
			c.DefaultMode = os.FileMode(m)
		}
	}
	if _, v, ok := get(KeyOwnerMapping); ok && v != "" {
		c.OwnerMapping = map[string]string{}
		for pair := range strings.SplitSeq(v, ";") {
			id, name, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(name) == "" {
				bad = append(bad, fmt.Sprintf("%s (%q): want id=user pairs separated by ;", KeyOwnerMapping, v))
				break
			}
			c.OwnerMapping[strings.TrimSpace(id)] = strings.TrimSpace(name)
		}
	}
	if len(bad) > 0 {
		return c, errs.New(errs.ErrInvalidArg, "S3 under storage %s: %s", uri, strings.Join(bad, "; "))
	}
	return c, nil
}

func redactURI(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

// where names the store in messages: the bucket and, when not AWS itself,
// the endpoint.
func (c Config) where() string {
	if c.Endpoint == "" {
		return "bucket " + c.Bucket
	}
	return "bucket " + c.Bucket + " at " + c.Endpoint
}
