package worker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

// Config is the worker's configuration, parsed once from properties.
type Config struct {
	Hostname          string
	BindHost          string
	RPCPort           int
	WebPort           int
	HeartbeatInterval time.Duration
	Tiers             []blockstore.TierConfig
	LogDir            string
	// LogName is the log file's name under LogDir without ".log"
	// ("worker", or "local" for alluxio local), for the Logs page.
	LogName string
	// PprofEnabled serves Go profiles on the web port
	// (alluxio.debug.pprof.enabled).
	PprofEnabled bool
	// Masters are the masters' rpc addresses, for the web UI.
	Masters []string
	// TmpDirs (alluxio.tmp.dirs) are where under storages keep temporary
	// files, such as S3 writes that do not stream.
	TmpDirs []string
	// Properties is the configuration this one was read from, for the
	// web UI's Configuration page.
	Properties *conf.Properties
	// Security is the worker's authentication type and TLS material.
	Security security.Config
	// PermissionEnabled is alluxio.security.authorization.permission.
	// enabled: the web UI then asks the master about a file for its
	// user, as that user.
	PermissionEnabled bool
}

// Address is what clients and the master reach this worker at.
func (c *Config) Address() string { return net.JoinHostPort(c.Hostname, strconv.Itoa(c.RPCPort)) }

// ConfigFromProperties reads the worker keys, tiers included, naming the key
// of any bad value.
func ConfigFromProperties(p *conf.Properties) (*Config, error) {
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	str := func(k string) string { v, err := p.GetString(k); note(err); return v }
	num := func(k string) int { v, err := p.GetInt(k); note(err); return v }
	c := &Config{
		Hostname:   str("alluxio.worker.hostname"),
		BindHost:   str("alluxio.worker.bind.host"),
		RPCPort:    num("alluxio.worker.rpc.port"),
		WebPort:    num("alluxio.worker.web.port"),
		LogDir:     str("alluxio.logs.dir"),
		LogName:    "worker",
		Properties: p,
	}
	tmp, err := p.GetList(conf.TmpDirs)
	note(err)
	c.TmpDirs = tmp
	pp, err := p.GetBool(conf.DebugPprofEnabled)
	note(err)
	c.PprofEnabled = pp
	c.PermissionEnabled, err = p.GetBool(conf.SecurityAuthorizationPermissionEnabled)
	note(err)

	hb, err := p.GetDuration("alluxio.worker.block.heartbeat.interval")
	note(err)
	c.Security, err = security.ConfigFromProperties(p)
	note(err)
	c.HeartbeatInterval = hb
	if c.Hostname == "" {
		c.Hostname = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" {
			c.Hostname = h
		}
	}
	levels := num("alluxio.worker.tieredstore.levels")
	if levels < 1 || levels > 8 {
		note(fmt.Errorf("alluxio.worker.tieredstore.levels (%d) must be between 1 and 8", levels))
	}
	for l := 0; l < levels && l < 8; l++ {
		t, err := tierFromProperties(p, l)
		note(err)
		c.Tiers = append(c.Tiers, t)
	}
	return c, errors.Join(errs...)
}

func tierFromProperties(p *conf.Properties, level int) (blockstore.TierConfig, error) {
	t := blockstore.TierConfig{}
	alias, err := p.GetString(conf.TierKey(level, "alias"))
	if err != nil {
		return t, err
	}
	t.Alias = alias
	paths, err := p.GetList(conf.TierKey(level, "dirs.path"))
	if err != nil {
		return t, err
	}
	quotas, err := p.GetList(conf.TierKey(level, "dirs.quota"))
	if err != nil {
		return t, err
	}
	qk := conf.TierKey(level, "dirs.quota")
	if len(paths) == 0 {
		return t, fmt.Errorf("%s is empty", conf.TierKey(level, "dirs.path"))
	}
	if len(quotas) != 1 && len(quotas) != len(paths) {
		return t, fmt.Errorf("%s (%q): give one quota, or one per directory of %s", qk, strings.Join(quotas, ","), conf.TierKey(level, "dirs.path"))
	}
	for i, path := range paths {
		q := quotas[0]
		if len(quotas) > 1 {
			q = quotas[i]
		}
		size, err := conf.ParseBytes(q)
		if err != nil || size <= 0 {
			return t, fmt.Errorf("%s (%q): not a positive size", qk, q)
		}
		t.Dirs = append(t.Dirs, blockstore.DirConfig{Path: path, Quota: size, MediumType: alias})
	}
	if hi, err := p.GetRatio(conf.TierKey(level, "watermark.high.ratio")); err == nil {
		t.HighWatermark = hi
	}
	if lo, err := p.GetRatio(conf.TierKey(level, "watermark.low.ratio")); err == nil {
		t.LowWatermark = lo
	}
	return t, nil
}
