package election

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestZooKeeperConfigValidate(t *testing.T) {
	good := func() ZKConfig {
		return ZKConfig{Servers: []string{"zk1:2181", "zk2:2181"}, Address: "m1:19998"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ZKConfig)
		want   string // in the error; "" for no error
	}{
		{"defaults", func(*ZKConfig) {}, ""},
		{"no servers", func(c *ZKConfig) { c.Servers = nil }, "alluxio.zookeeper.address is empty"},
		{"blank server", func(c *ZKConfig) { c.Servers = []string{"zk1:2181", " "} }, "alluxio.zookeeper.address"},
		{"bad port", func(c *ZKConfig) { c.Servers = []string{"zk1:abc"} }, `alluxio.zookeeper.address: server "zk1:abc" has a bad port`},
		{"no host", func(c *ZKConfig) { c.Servers = []string{":2181"} }, "has no host"},
		{"relative election path", func(c *ZKConfig) { c.ElectionPath = "alluxio/election" }, "alluxio.zookeeper.election.path"},
		{"root election path", func(c *ZKConfig) { c.ElectionPath = "/" }, "alluxio.zookeeper.election.path"},
		{"trailing slash", func(c *ZKConfig) { c.LeaderPath = "/alluxio/leader/" }, "alluxio.zookeeper.leader.path"},
		{"empty component", func(c *ZKConfig) { c.LeaderPath = "/alluxio//leader" }, "alluxio.zookeeper.leader.path"},
		{"dot component", func(c *ZKConfig) { c.LeaderPath = "/alluxio/../leader" }, "alluxio.zookeeper.leader.path"},
		{"reserved tree", func(c *ZKConfig) { c.ElectionPath = "/zookeeper/x" }, "reserved"},
		{"same paths", func(c *ZKConfig) { c.LeaderPath = "/alluxio/election" }, "must not be the same or nested"},
		{"nested paths", func(c *ZKConfig) { c.LeaderPath = "/alluxio/election/leader" }, "must not be the same or nested"},
		{"session too short", func(c *ZKConfig) { c.SessionTimeout = 100 * time.Millisecond },
			"alluxio.zookeeper.session.timeout (100ms) must be at least 500ms"},
		{"negative session", func(c *ZKConfig) { c.SessionTimeout = -time.Second }, "alluxio.zookeeper.session.timeout"},
		{"negative connection timeout", func(c *ZKConfig) { c.ConnectionTimeout = -time.Second },
			"alluxio.zookeeper.connection.timeout (-1s) must be positive"},
		{"no address", func(c *ZKConfig) { c.Address = "" }, "alluxio.master.hostname"},
		{"address without port", func(c *ZKConfig) { c.Address = "m1" }, "must be host:port"},
		{"address port 0", func(c *ZKConfig) { c.Address = "m1:0" }, "bad port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.mutate(&cfg)
			z, err := NewZooKeeper(cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("NewZooKeeper: %v", err)
				}
				if z.Valid() || z.Leader() != "" {
					t.Errorf("a selector that has not started claims primacy or knows a leader")
				}
				return
			}
			if err == nil {
				t.Fatalf("NewZooKeeper accepted %+v; want an error with %q", cfg, tc.want)
			}
			if !errors.Is(err, errs.ErrInvalidArg) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want ErrInvalidArg with %q", err, tc.want)
			}
		})
	}
}

func TestZooKeeperConfigDefaults(t *testing.T) {
	c := ZKConfig{Servers: []string{" zk1 ", "zk2:2182"}, Address: "m1:19998"}.withDefaults()
	want := []string{"zk1:2181", "zk2:2182"}
	if !slices.Equal(c.Servers, want) {
		t.Errorf("Servers = %q, want %q", c.Servers, want)
	}
	if c.ElectionPath != "/alluxio/election" || c.LeaderPath != "/alluxio/leader" ||
		c.SessionTimeout != 5*time.Second || c.ConnectionTimeout != 15*time.Second || c.Logger == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestZooKeeperStartStop(t *testing.T) {
	z, err := NewZooKeeper(ZKConfig{Servers: []string{"127.0.0.1:1"}, Address: "m1:19998"})
	if err != nil {
		t.Fatal(err)
	}
	if err := z.Stop(); err != nil {
		t.Fatalf("Stop before Start: %v", err)
	}
	if _, ok := <-z.Changes(); ok {
		t.Error("Changes open after Stop")
	}
	if err := z.Start(t.Context()); !errors.Is(err, errs.ErrPrecondition) {
		t.Errorf("Start after Stop = %v; want ErrPrecondition", err)
	}
	if err := z.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestZooKeeperCandidateOrder(t *testing.T) {
	children := []string{
		"_c_bb-latch-0000000010",
		"not-a-candidate",
		"_c_aa-latch-0000000002",
		"x-latch-12",
		"_c_cc-latch-0000000009",
		"_c_dd-latch-00000000zz",
	}
	var got []string
	for _, c := range sortCandidates(children) {
		got = append(got, c.name)
	}
	want := []string{"_c_aa-latch-0000000002", "_c_cc-latch-0000000009", "_c_bb-latch-0000000010"}
	if !slices.Equal(got, want) {
		t.Errorf("sortCandidates = %q, want %q", got, want)
	}
}
