package cluster

import (
	"crypto/tls"
	"fmt"
)

type config struct {
	ha             bool
	journal        string
	workers        int
	quota          string
	sessionTimeout string
	defines        []string
	env            []string
	bin            string
	net            NetMode
	checkpoint     string
	webTLS         *tls.Config
	s3Root         bool
}

// Option changes how New or NewHA builds a cluster.
type Option func(*config)

// WithJournal makes the cluster an HA one with the journal kind:
// JournalEmbedded (the default of NewHA) or JournalZK.
func WithJournal(kind string) Option { return func(c *config) { c.journal, c.ha = kind, true } }

// WithWorkers starts n workers (default 0) of quota bytes each (default 64MB).
func WithWorkers(n int, quota string) Option {
	return func(c *config) { c.workers, c.quota = n, quota }
}

// WithSessionTimeout sets the ZooKeeper session timeout (default 3s).
func WithSessionTimeout(d string) Option { return func(c *config) { c.sessionTimeout = d } }

// WithDefines adds -D flags to every master (after, and so over, the
// cluster's own).
func WithDefines(d ...string) Option {
	return func(c *config) { c.defines = append(c.defines, d...) }
}

// WithEnv adds to every master's environment.
func WithEnv(e ...string) Option { return func(c *config) { c.env = append(c.env, e...) } }

// WithBinary runs bin instead of testcluster.Binary(t) (one built with failpoints, say).
func WithBinary(bin string) Option { return func(c *config) { c.bin = bin } }

// WithNet says whether the masters run in network namespaces.
func WithNet(m NetMode) Option { return func(c *config) { c.net = m } }

// WithCheckpointEntries sets how many entries a checkpoint (snapshot)
// covers; small values make standbys write them during a test.
func WithCheckpointEntries(n int) Option {
	return func(c *config) { c.checkpoint = fmt.Sprint(n) }
}

// WithWebTLS is how the test reaches the masters' web ports when they
// serve HTTPS (alluxio.network.tls.enabled among the defines).
func WithWebTLS(cfg *tls.Config) Option { return func(c *config) { c.webTLS = cfg } }

// WithS3Root gives an HA cluster an S3 server of its own (versitygw, HA.S3)
// and makes a prefix of one of its buckets (HA.S3Bucket, HA.S3Prefix) the
// root under storage. With network namespaces the server listens on the
// client network, which a cut-off master still reaches, as a real object
// store would be.
func WithS3Root() Option { return func(c *config) { c.s3Root = true } }
