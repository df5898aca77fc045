package master

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/security/authz"
)

// Config is the master's configuration, parsed once from properties.
type Config struct {
	Hostname string
	BindHost string
	RPCPort  int
	WebPort  int
	// RPCAddresses lists every master's rpc address (HA); empty for one.
	RPCAddresses []string

	JournalType string // UFS or EMBEDDED
	// EmbeddedAddresses are every master's embedded journal address,
	// index-aligned with RPCAddresses; EmbeddedPort is this master's.
	EmbeddedAddresses  []string
	EmbeddedPort       int
	EmbeddedBindHost   string
	ElectionTimeoutMin time.Duration
	ElectionTimeoutMax time.Duration
	// JoinQuorum starts a master that is being added to a running embedded
	// quorum (`alluxio master --join`): it must not found a quorum of its own.
	JoinQuorum       bool
	JournalFolder    string
	MaxLogSize       int64
	CheckpointPeriod uint64
	TailInterval     time.Duration

	RootUFS string
	// NoRetryCache is retry.cache.enabled=false; the zero value keeps the
	// cache on, as the default does.
	NoRetryCache bool
	// UFSProperties are the under storage settings of the master's
	// configuration (alluxio.underfs.*, s3a.*, aws.*, fs.*), which every
	// mount gets under its own options; RootUFSOptions are the root
	// mount's own (alluxio.master.mount.table.root.option.*).
	UFSProperties  map[string]string
	RootUFSOptions map[string]string
	// TmpDirs (alluxio.tmp.dirs) are where under storages keep temporary
	// files, such as S3 writes that do not stream.
	TmpDirs          []string
	RetryCacheSize   int
	TTLCheckInterval time.Duration
	// CleanupInterval is how often the primary sweeps the under storages
	// for copies nobody will publish (leftovers.go); 0 turns it off.
	CleanupInterval time.Duration
	WorkerTimeout   time.Duration
	LostWorkerCheck time.Duration
	// DeletedRetention is how long the blocks of deleted files stay on
	// the workers (alluxio.master.deleted.block.retention).
	DeletedRetention time.Duration

	DefaultBlockSize int64
	LoadType         string // NEVER, ONCE, ALWAYS
	SyncInterval     time.Duration
	Umask            uint32
	SuperUser        string
	// PermissionEnabled turns permission checks on; SuperGroup's members
	// are superusers; groups come from the OS (StaticGroups first), kept
	// for GroupCacheTimeout.
	PermissionEnabled bool
	SuperGroup        string
	GroupCacheTimeout time.Duration
	StaticGroups      map[string][]string
	// CapabilityLifetime is how long a block capability is valid
	// (alluxio.security.block.capability.lifetime); 0 turns capabilities
	// off (alluxio.security.block.capability.enabled=false).
	CapabilityLifetime time.Duration

	ZooKeeperEnabled bool
	ZooKeeperAddress []string
	ZKElectionPath   string
	ZKLeaderPath     string
	ZKSessionTimeout time.Duration
	ZKConnectTimeout time.Duration

	LogDir string
	// LogName is the process's log file name under LogDir, without
	// ".log" ("master", or "local" for alluxio local); the Logs page shows it.
	LogName string
	// PprofEnabled serves Go profiles on the web port
	// (alluxio.debug.pprof.enabled).
	PprofEnabled bool
	// BackupDirectory is alluxio.master.backup.directory: where a backup
	// goes in the root under storage when the request names no directory.
	BackupDirectory string
	// Properties is the configuration this one was read from, which the
	// web UI's Configuration page lists with each value's source.
	Properties *conf.Properties

	// Security is who this master is and whom it trusts
	// (authentication type, TLS, impersonation rules).
	Security security.Config
	// AuditLog turns on master_audit.log
	// (alluxio.master.audit.logging.enabled), with at most AuditQueue
	// lines waiting for the writer.
	AuditLog   bool
	AuditQueue int

	// ProtectedDirs are directories of the cluster's own that no mount may
	// hold or lie inside (the journal folder, the metastore).
	ProtectedDirs []ProtectedDir
}

// ProtectedDir is a directory no mount may reach, and what it is.
type ProtectedDir struct{ Path, What string }

// RPCAddress is the address other processes reach this master's rpc at.
func (c *Config) RPCAddress() string { return net.JoinHostPort(c.Hostname, strconv.Itoa(c.RPCPort)) }

// ConfigFromProperties reads every master key, naming the key of any bad
// value.
func ConfigFromProperties(p *conf.Properties) (*Config, error) {
	r := &reader{p: p}
	c := &Config{
		Hostname:           r.str("alluxio.master.hostname"),
		BindHost:           r.str("alluxio.master.bind.host"),
		RPCPort:            r.port("alluxio.master.rpc.port"),
		WebPort:            r.port("alluxio.master.web.port"),
		RPCAddresses:       r.list("alluxio.master.rpc.addresses"),
		JournalType:        strings.ToUpper(r.str("alluxio.master.journal.type")),
		JournalFolder:      r.str("alluxio.master.journal.folder"),
		EmbeddedAddresses:  r.list("alluxio.master.embedded.journal.addresses"),
		EmbeddedPort:       r.port("alluxio.master.embedded.journal.port"),
		EmbeddedBindHost:   r.str("alluxio.master.embedded.journal.bind.host"),
		ElectionTimeoutMin: r.duration("alluxio.master.embedded.journal.election.timeout.min"),
		ElectionTimeoutMax: r.duration("alluxio.master.embedded.journal.election.timeout.max"),
		MaxLogSize:         r.bytes("alluxio.master.journal.log.size.bytes.max"),
		CheckpointPeriod:   uint64(r.positive("alluxio.master.journal.checkpoint.period.entries")),
		TailInterval:       r.duration("alluxio.master.journal.tailer.sleep.time"),
		RootUFS:            r.str("alluxio.master.mount.table.root.ufs"),
		NoRetryCache:       !r.boolean("alluxio.master.filesystem.operation.retry.cache.enabled"),
		RetryCacheSize:     r.positive("alluxio.master.filesystem.operation.retry.cache.size"),
		TTLCheckInterval:   r.duration("alluxio.master.ttl.checker.interval"),
		CleanupInterval:    r.duration("alluxio.underfs.cleanup.interval"),
		WorkerTimeout:      r.duration("alluxio.master.worker.timeout"),
		LostWorkerCheck:    r.duration("alluxio.master.lost.worker.detection.interval"),
		DeletedRetention:   r.duration("alluxio.master.deleted.block.retention"),
		DefaultBlockSize:   r.bytes("alluxio.user.block.size.bytes.default"),
		LoadType:           strings.ToUpper(r.str("alluxio.user.file.metadata.load.type")),
		SyncInterval:       r.duration("alluxio.user.file.metadata.sync.interval"),
		ZooKeeperEnabled:   r.boolean("alluxio.zookeeper.enabled"),
		ZooKeeperAddress:   r.list("alluxio.zookeeper.address"),
		ZKElectionPath:     r.str("alluxio.zookeeper.election.path"),
		ZKLeaderPath:       r.str("alluxio.zookeeper.leader.path"),
		ZKSessionTimeout:   r.duration("alluxio.zookeeper.session.timeout"),
		ZKConnectTimeout:   r.duration("alluxio.zookeeper.connection.timeout"),
		LogDir:             r.str("alluxio.logs.dir"),
		LogName:            "master",
		PprofEnabled:       r.boolean(conf.DebugPprofEnabled),
		BackupDirectory:    r.str(conf.MasterBackupDirectory),
		Properties:         p,
		SuperUser:          r.str("alluxio.security.login.username"),
		PermissionEnabled:  r.boolean("alluxio.security.authorization.permission.enabled"),
		SuperGroup:         r.str("alluxio.security.authorization.permission.supergroup"),
		GroupCacheTimeout:  r.duration("alluxio.security.group.mapping.cache.timeout"),
	}
	if r.boolean("alluxio.security.block.capability.enabled") {
		c.CapabilityLifetime = r.duration("alluxio.security.block.capability.lifetime")
		if c.CapabilityLifetime <= 0 {
			r.errs = append(r.errs, fmt.Errorf("alluxio.security.block.capability.lifetime (%s): must be positive", c.CapabilityLifetime))
		}
	}
	if m := r.str("alluxio.security.group.mapping.class"); m != "alluxio.security.group.provider.ShellBasedUnixGroupsMapping" {
		r.errs = append(r.errs, fmt.Errorf("alluxio.security.group.mapping.class (%q): the one mapping is "+
			"alluxio.security.group.provider.ShellBasedUnixGroupsMapping (the OS's groups)", m))
	}
	if sg, err := authz.ParseStaticGroups(r.str("alluxio.security.group.mapping.static.overrides")); err != nil {
		r.errs = append(r.errs, fmt.Errorf("alluxio.security.group.mapping.static.overrides: %v", err))
	} else {
		c.StaticGroups = sg
	}
	c.UFSProperties, c.RootUFSOptions = ufsProperties(p)
	c.TmpDirs = r.list(conf.TmpDirs)
	c.AuditLog = r.boolean(conf.MasterAuditLoggingEnabled)
	c.AuditQueue = r.positive(conf.MasterAuditLoggingQueueCapacity)
	if sec, err := security.ConfigFromProperties(p); err != nil {
		r.errs = append(r.errs, err)
	} else {
		c.Security = sec
	}
	if r.boolean("alluxio.network.tls.enabled") {
		// Under TLS a process is its certificate's user: the masters'
		// (and so the workers', which share it) is the superuser.
		if cn, err := certUser(r.str("alluxio.network.tls.cert.file")); err != nil {
			r.errs = append(r.errs, err)
		} else {
			c.SuperUser = cn
		}
	}
	umask := r.str("alluxio.security.authorization.permission.umask")
	if v, err := strconv.ParseUint(umask, 8, 32); err != nil || v > 0o777 {
		r.errs = append(r.errs, fmt.Errorf("alluxio.security.authorization.permission.umask (%q): not an octal umask", umask))
	} else {
		c.Umask = uint32(v)
	}
	c.ProtectedDirs = []ProtectedDir{{c.JournalFolder, "the journal (alluxio.master.journal.folder)"},
		{r.str("alluxio.master.metastore.dir"), "the metastore (alluxio.master.metastore.dir)"}}
	c.ProtectedDirs = append(c.ProtectedDirs, workerDirs(p)...)
	if c.Hostname == "" {
		c.Hostname = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" {
			c.Hostname = h
		}
	}
	if c.SuperUser == "" {
		// The user that runs the master owns "/", as in Alluxio.
		c.SuperUser = "root"
		if u, err := user.Current(); err == nil {
			c.SuperUser = u.Username
		}
	}
	if c.BindHost == "" {
		c.BindHost = "0.0.0.0"
	}
	if !r.boolean("alluxio.underfs.cleanup.enabled") {
		c.CleanupInterval = 0
	} else if c.CleanupInterval <= 0 && len(r.errs) == 0 {
		r.errs = append(r.errs, fmt.Errorf("alluxio.underfs.cleanup.interval (%v) must be positive", c.CleanupInterval))
	}
	if c.DefaultBlockSize <= 0 && len(r.errs) == 0 {
		r.errs = append(r.errs, fmt.Errorf("alluxio.user.block.size.bytes.default (%d) must be positive", c.DefaultBlockSize))
	}
	if c.ZooKeeperEnabled && len(c.ZooKeeperAddress) == 0 {
		r.errs = append(r.errs, fmt.Errorf("alluxio.zookeeper.address is empty but alluxio.zookeeper.enabled is true"))
	}
	if c.JournalType != "UFS" && c.JournalType != "EMBEDDED" {
		r.errs = append(r.errs, fmt.Errorf("alluxio.master.journal.type (%q) must be UFS or EMBEDDED", c.JournalType))
	}
	if c.JournalType == "EMBEDDED" {
		if err := c.embeddedDefaults(); err != nil {
			r.errs = append(r.errs, err)
		}
	}
	return c, errors.Join(r.errs...)
}

// workerDirs are the worker storage directories this configuration sets
// (a site file shared with a worker on this machine, `alluxio local`).
// Defaults are left out: they describe no worker of this machine.
func workerDirs(p *conf.Properties) []ProtectedDir {
	levels, err := p.GetInt(conf.WorkerTieredstoreLevels)
	if err != nil {
		return nil
	}
	var out []ProtectedDir
	for l := 0; l < min(levels, 8); l++ {
		k := conf.TierKey(l, "dirs.path")
		if !p.IsSet(k) {
			continue
		}
		dirs, err := p.GetList(k)
		if err != nil {
			continue // reported with the key by the worker's own parse
		}
		for _, d := range dirs {
			out = append(out, ProtectedDir{d, "a worker storage directory (" + k + ")"})
		}
	}
	return out
}

// ufsPrefixes are the key prefixes of under storage settings in Alluxio's
// configuration: its own and the ones its connectors take from Hadoop.
var ufsPrefixes = []string{"alluxio.underfs.", "s3a.", "aws.", "fs."}

// ufsProperties picks the under storage settings out of p.
func ufsProperties(p *conf.Properties) (global, root map[string]string) {
	global, root = map[string]string{}, map[string]string{}
	for _, name := range p.Names() {
		if !p.IsSet(name) {
			continue
		}
		v, err := p.Get(name)
		if err != nil {
			continue // reported with the key by Validate
		}
		if opt, ok := strings.CutPrefix(name, conf.RootUFSOptionPrefix); ok {
			root[opt] = v
			continue
		}
		for _, prefix := range ufsPrefixes {
			if strings.HasPrefix(name, prefix) {
				global[name] = v
			}
		}
	}
	return global, root
}

// reader collects errors so one pass reports every bad key at once.
type reader struct {
	p    *conf.Properties
	errs []error
}

func (r *reader) note(err error) { r.errs = append(r.errs, err) }

func (r *reader) str(k string) string {
	v, err := r.p.GetString(k)
	if err != nil {
		r.note(err)
	}
	return v
}

func (r *reader) list(k string) []string {
	v, err := r.p.GetList(k)
	if err != nil {
		r.note(err)
	}
	return v
}

func (r *reader) boolean(k string) bool {
	v, err := r.p.GetBool(k)
	if err != nil {
		r.note(err)
	}
	return v
}

func (r *reader) duration(k string) time.Duration {
	v, err := r.p.GetDuration(k)
	if err != nil {
		r.note(err)
	}
	return v
}

func (r *reader) bytes(k string) int64 {
	v, err := r.p.GetBytes(k)
	if err != nil {
		r.note(err)
	}
	return v
}

func (r *reader) positive(k string) int {
	v, err := r.p.GetInt(k)
	if err != nil {
		r.note(err)
	} else if v <= 0 {
		r.note(fmt.Errorf("%s (%d) must be positive", k, v))
	}
	return v
}

func (r *reader) port(k string) int {
	v, err := r.p.GetInt(k)
	if err != nil {
		r.note(err)
	} else if v < 0 || v > 65535 {
		r.note(fmt.Errorf("%s (%d) is not a port number", k, v))
	}
	return v
}

// EmbeddedAddress is this master's embedded journal address.
func (c *Config) EmbeddedAddress() string {
	return net.JoinHostPort(c.Hostname, strconv.Itoa(c.EmbeddedPort))
}

// embeddedDefaults fills in what Alluxio derives for the embedded journal:
// the quorum is this master alone unless addresses are given, and the rpc
// addresses are the journal hosts on the rpc port unless given. It checks
// the two lists line up and name this master.
func (c *Config) embeddedDefaults() error {
	if len(c.EmbeddedAddresses) == 0 {
		c.EmbeddedAddresses = []string{c.EmbeddedAddress()}
	}
	if len(c.RPCAddresses) == 0 {
		for _, a := range c.EmbeddedAddresses {
			host, _, err := net.SplitHostPort(a)
			if err != nil {
				return fmt.Errorf("alluxio.master.embedded.journal.addresses (%q): %v", a, err)
			}
			c.RPCAddresses = append(c.RPCAddresses, net.JoinHostPort(host, strconv.Itoa(c.RPCPort)))
		}
	}
	if len(c.RPCAddresses) != len(c.EmbeddedAddresses) {
		return fmt.Errorf("alluxio.master.rpc.addresses (%s) must list one master per entry of alluxio.master.embedded.journal.addresses (%s)",
			strings.Join(c.RPCAddresses, ","), strings.Join(c.EmbeddedAddresses, ","))
	}
	for _, a := range c.EmbeddedAddresses {
		if a == c.EmbeddedAddress() {
			return nil
		}
	}
	return fmt.Errorf("alluxio.master.embedded.journal.addresses (%s) does not include this master (%s, from alluxio.master.hostname and alluxio.master.embedded.journal.port)",
		strings.Join(c.EmbeddedAddresses, ","), c.EmbeddedAddress())
}

// certUser is the common name of the first certificate in the PEM file.
func certUser(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("alluxio.network.tls.cert.file: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return "", fmt.Errorf("alluxio.network.tls.cert.file (%s) holds no PEM certificate", file)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("alluxio.network.tls.cert.file (%s): %w", file, err)
	}
	return cert.Subject.CommonName, nil
}
