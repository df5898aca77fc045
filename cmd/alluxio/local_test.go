package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/conf"
)

// TestLocalPorts: alluxio local's masters get fixed ports, each web port
// next to its rpc port: 19998/19999, 20998/20999, 21998/21999.
func TestLocalPorts(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	p := conf.New()
	if err := localDefaults(p); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < localMasters; i++ {
		c, err := localMasterConfig(p, i)
		if err != nil {
			t.Fatal(err)
		}
		if c.RPCPort != 19998+1000*i || c.WebPort != 19999+1000*i || c.EmbeddedPort != 19200+1000*i {
			t.Errorf("master %d: rpc %d, web %d, journal %d", i, c.RPCPort, c.WebPort, c.EmbeddedPort)
		}
	}
	// Port 0 lets every master pick a free one (tests).
	p.Set("alluxio.master.web.port", "0")
	for i := 0; i < localMasters; i++ {
		if c, err := localMasterConfig(p, i); err != nil || c.WebPort != 0 {
			t.Errorf("master %d with web port 0: %v, %v", i, c, err)
		}
	}
	p.Set("alluxio.master.web.port", "64999")
	if _, err := localMasterConfig(p, 1); err == nil || !strings.Contains(err.Error(), "alluxio.master.web.port (64999)") {
		t.Errorf("web port beyond 65535 for master 1: %v", err)
	}
}

// TestLocalMemoryTierPerCluster: two local clusters (other homes or work
// dirs) get memory tiers of their own; the same one always the same.
func TestLocalMemoryTierPerCluster(t *testing.T) {
	tier := func(home string) string {
		t.Setenv("HOME", home)
		p := conf.New()
		if err := localDefaults(p); err != nil {
			t.Fatal(err)
		}
		v, err := p.GetString(conf.TierKey(0, "dirs.path"))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := t.TempDir(), t.TempDir()
	ta, tb := tier(a), tier(b)
	if ta == tb || ta != tier(a) || !strings.HasPrefix(filepath.Base(ta), "alluxio-") {
		t.Errorf("memory tiers: %s for %s, %s for %s", ta, a, tb, b)
	}
	if strings.HasPrefix(ta, a) {
		t.Errorf("memory tier %s is not in shared memory", ta)
	}
}
