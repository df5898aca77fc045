package conf

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDefaultsResolve(t *testing.T) {
	p := New()
	tests := map[string]string{
		Home:                          "/opt/alluxio",
		WorkDir:                       "/opt/alluxio",
		ConfDir:                       "/opt/alluxio/conf",
		LogsDir:                       "/opt/alluxio/logs",
		MasterJournalFolder:           "/opt/alluxio/journal",
		MasterMountTableRootUFS:       "/opt/alluxio/underFSStorage",
		TierKey(0, "dirs.quota"):      "1GB",
		TierKey(1, "dirs.mediumtype"): "SSD",
		WorkerBlockHeartbeatTimeout:   "1hour",
	}
	for name, want := range tests {
		if got, err := p.Get(name); err != nil || got != want {
			t.Errorf("Get(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string
		get  string
		want string
	}{
		{"follows set work dir", map[string]string{WorkDir: "/data"}, MasterJournalFolder, "/data/journal"},
		{"follows set home two levels", map[string]string{Home: "/h"}, LogsDir, "/h/logs"},
		{"several references", map[string]string{"x.a": "${alluxio.master.hostname}:${alluxio.master.rpc.port}",
			MasterHostname: "m1"}, "x.a", "m1:19998"},
		{"nested reference name", map[string]string{"x.which": "rpc", "x.a": "${alluxio.master.${x.which}.port}"},
			"x.a", "19998"},
		{"unclosed kept", map[string]string{"x.a": "a${b"}, "x.a", "a${b"},
		{"dollar alone kept", map[string]string{"x.a": "$5 {x}"}, "x.a", "$5 {x}"},
		{"blanks in reference", map[string]string{"x.a": "${ alluxio.home }"}, "x.a", "/opt/alluxio"},
		{"empty default", map[string]string{"x.a": "[${alluxio.master.hostname}]"}, "x.a", "[]"},
		{"diamond", map[string]string{"x.a": "${x.b}${x.c}", "x.b": "${x.d}", "x.c": "${x.d}", "x.d": "d"}, "x.a", "dd"},
		{"tier pattern default", map[string]string{"x.a": "${alluxio.worker.tieredstore.level5.watermark.high.ratio}"},
			"x.a", "0.95"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			for k, v := range tt.set {
				p.Set(k, v)
			}
			if got, err := p.Get(tt.get); err != nil || got != tt.want {
				t.Errorf("Get(%s) = %q, %v; want %q", tt.get, got, err, tt.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		name    string
		set     map[string]string
		get     string
		is      error
		contain []string
	}{
		{"self", map[string]string{"x.a": "${x.a}"}, "x.a", ErrCycle, []string{"x.a -> x.a"}},
		{"two keys", map[string]string{WorkDir: "${alluxio.home}", Home: "${alluxio.work.dir}"},
			MasterJournalFolder, ErrCycle,
			[]string{MasterJournalFolder + ": template cycle: alluxio.work.dir -> alluxio.home -> alluxio.work.dir"}},
		{"unknown reference", map[string]string{"x.a": "${x.b}", "x.b": "${alluxio.nope}"}, "x.a", ErrUnknownKey,
			[]string{"x.a: x.b: ${alluxio.nope}: unknown property key"}},
		{"unknown key", nil, "alluxio.nope", ErrUnknownKey, []string{"alluxio.nope: unknown property key"}},
		{"empty reference", map[string]string{"x.a": "${}"}, "x.a", ErrUnknownKey, []string{"${}"}},
		{"nested too deep", map[string]string{"x.a": strings.Repeat("${", 20) + strings.Repeat("}", 20)},
			"x.a", nil, []string{"nested"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			for k, v := range tt.set {
				p.Set(k, v)
			}
			_, err := p.Get(tt.get)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, c := range tt.contain {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("error %q does not contain %q", err, c)
				}
			}
		})
	}
}

func TestTemplateBlowupBounded(t *testing.T) {
	p := New()
	for i := 0; i < 40; i++ {
		p.Set(fmt.Sprintf("x.k%d", i), fmt.Sprintf("${x.k%d}${x.k%d}", i+1, i+1))
	}
	p.Set("x.k40", "0123456789")
	start := time.Now()
	if _, err := p.Get("x.k0"); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("error = %v, want a length error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	p.Set("x.k0", "ok")
	for i := 1; i <= 300; i++ {
		p.Set(fmt.Sprintf("x.c%d", i), fmt.Sprintf("${x.c%d}", i+1))
	}
	if _, err := p.Get("x.c1"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("long chain error = %v", err)
	}
}

func TestTypedGetters(t *testing.T) {
	p := New()
	p.Set("x.list", " a, b ,,c ")
	p.Set(UserFileWriteTypeDefault, "cache_through")
	p.Set(WorkerTieredstoreLevels, " 2 ")
	p.Set(ZookeeperEnabled, "TRUE")

	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, %v; want %v", name, got, err, want)
		}
	}
	n, err := p.GetInt(MasterRPCPort)
	check(MasterRPCPort, n, 19998, err)
	n, err = p.GetInt(WorkerTieredstoreLevels)
	check(WorkerTieredstoreLevels, n, 2, err)
	b, err := p.GetBool(ZookeeperEnabled)
	check(ZookeeperEnabled, b, true, err)
	b, err = p.GetBool(UserShortCircuitEnabled)
	check(UserShortCircuitEnabled, b, true, err)
	d, err := p.GetDuration(ZookeeperSessionTimeout)
	check(ZookeeperSessionTimeout, d, 5*time.Second, err)
	d, err = p.GetDuration(UserFileMetadataSyncInterval)
	check(UserFileMetadataSyncInterval, d, -time.Millisecond, err)
	d, err = p.GetDuration(MasterEmbeddedJournalElectionTimeoutMax)
	check(MasterEmbeddedJournalElectionTimeoutMax, d, time.Second, err)
	sz, err := p.GetBytes(UserBlockSizeBytesDefault)
	check(UserBlockSizeBytesDefault, sz, int64(64<<20), err)
	sz, err = p.GetBytes(WorkerRamdiskSize)
	check(WorkerRamdiskSize, sz, int64(1<<30), err)
	r, err := p.GetRatio(TierKey(0, "watermark.low.ratio"))
	check("low ratio", r, 0.7, err)
	l, err := p.GetList("x.list")
	check("x.list", l, []string{"a", "b", "c"}, err)
	l, err = p.GetList(MasterRPCAddresses)
	check(MasterRPCAddresses, l, []string(nil), err)
	e, err := p.GetEnum(UserFileWriteTypeDefault)
	check(UserFileWriteTypeDefault, e, "CACHE_THROUGH", err)
	e, err = p.GetEnum(UserFileReadTypeDefault)
	check(UserFileReadTypeDefault, e, "CACHE", err)
	s, err := p.GetString(ZookeeperLeaderPath)
	check(ZookeeperLeaderPath, s, "/alluxio/leader", err)
}

func TestGetterErrors(t *testing.T) {
	p := New()
	p.Set(ZookeeperSessionTimeout, "abc")
	p.Set(MasterRPCPort, "70000")
	p.Set(MasterWebPort, "x")
	p.Set(ZookeeperEnabled, "yes")
	p.Set(UserBlockSizeBytesDefault, "64QB")
	p.Set(TierKey(0, "watermark.high.ratio"), "1.5")
	p.Set(UserFileWriteTypeDefault, "SOMETIMES")
	p.Set(MasterWorkerTimeout, "-1")
	p.Set("x.plain", "A")

	tests := []struct {
		name string
		get  func() error
		want string
	}{
		{"duration", func() error { _, err := p.GetDuration(ZookeeperSessionTimeout); return err },
			`alluxio.zookeeper.session.timeout ("abc"): invalid duration`},
		{"port range", func() error { _, err := p.GetInt(MasterRPCPort); return err },
			`alluxio.master.rpc.port ("70000"): port out of range 0-65535`},
		{"int", func() error { _, err := p.GetInt(MasterWebPort); return err },
			`alluxio.master.web.port ("x"): invalid integer`},
		{"bool", func() error { _, err := p.GetBool(ZookeeperEnabled); return err },
			`alluxio.zookeeper.enabled ("yes"): invalid boolean, want true or false`},
		{"bytes", func() error { _, err := p.GetBytes(UserBlockSizeBytesDefault); return err },
			`alluxio.user.block.size.bytes.default ("64QB"): invalid size`},
		{"ratio", func() error { _, err := p.GetRatio(TierKey(0, "watermark.high.ratio")); return err },
			`alluxio.worker.tieredstore.level0.watermark.high.ratio ("1.5"): invalid ratio, want a number from 0 to 1`},
		{"enum", func() error { _, err := p.GetEnum(UserFileWriteTypeDefault); return err },
			`alluxio.user.file.writetype.default ("SOMETIMES"): invalid value, want one of MUST_CACHE, CACHE_THROUGH, THROUGH, ASYNC_THROUGH`},
		{"negative not allowed", func() error { _, err := p.GetDuration(MasterWorkerTimeout); return err },
			`alluxio.master.worker.timeout ("-1"): must not be negative`},
		{"enum of unknown key", func() error { _, err := p.GetEnum("x.plain"); return err },
			`x.plain ("A"): not an enum key`},
		{"unknown", func() error { _, err := p.GetInt("alluxio.nope"); return err },
			`alluxio.nope: unknown property key`},
	}
	for _, tt := range tests {
		err := tt.get()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %s", tt.name, err, tt.want)
		}
		if tt.name != "unknown" && !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: error %v is not ErrInvalidValue", tt.name, err)
		}
	}
}

func TestSetIsSetSourceClone(t *testing.T) {
	p := New()
	if p.IsSet(MasterHostname) || p.Source(MasterHostname) != SourceDefault {
		t.Errorf("fresh: IsSet=%v Source=%q", p.IsSet(MasterHostname), p.Source(MasterHostname))
	}
	if p.Source("x.unknown") != "" {
		t.Errorf("unknown key source = %q", p.Source("x.unknown"))
	}
	p.Set(MasterHostname, "m1")
	c := p.Clone()
	c.Set(MasterHostname, "m2")
	c.Set("x.extra", "1")
	if v, _ := p.Get(MasterHostname); v != "m1" {
		t.Errorf("clone's Set leaked: %q", v)
	}
	if v, _ := c.Get(MasterHostname); v != "m2" {
		t.Errorf("clone = %q", v)
	}
	if !p.IsSet(MasterHostname) || p.Source(MasterHostname) != SourceSet {
		t.Errorf("after Set: IsSet=%v Source=%q", p.IsSet(MasterHostname), p.Source(MasterHostname))
	}
	names := c.Names()
	if !contains(names, "x.extra") || !contains(names, MasterHostname) || contains(p.Names(), "x.extra") {
		t.Errorf("Names wrong")
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("Names not sorted: %q before %q", names[i-1], names[i])
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	if err := New().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	p := New()
	p.Set(ZookeeperSessionTimeout, "abc")
	p.Set(MasterJournalType, "zk")
	p.Set(MasterHostname, "")                     // optional: empty is fine
	p.Set(MasterRPCPort, "")                      // has a default: empty is not
	p.Set(TierKey(4, "watermark.low.ratio"), "2") // pattern key set by a user
	p.Set("alluxio.x.loop", "${alluxio.x.loop}")
	p.Set("log4j.whatever", "${nope}") // not ours to check
	err := p.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`alluxio.zookeeper.session.timeout ("abc"): invalid duration`,
		`alluxio.master.journal.type ("zk"): invalid value, want one of EMBEDDED, UFS`,
		`alluxio.master.rpc.port (""): invalid integer`,
		`alluxio.worker.tieredstore.level4.watermark.low.ratio ("2")`,
		`alluxio.x.loop: template cycle`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v\nmissing %q", err, want)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 5 {
		t.Errorf("Validate reported %d problems, want 5:\n%v", n, err)
	}
	if strings.Contains(err.Error(), "log4j") || strings.Contains(err.Error(), MasterHostname) {
		t.Errorf("Validate reported too much: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	p := New()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				p.Set(WorkDir, fmt.Sprintf("/w%d", j))
				_ = p.Clone()
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if _, err := p.Get(MasterJournalFolder); err != nil {
					t.Error(err)
				}
				_, _ = p.GetDuration(MasterWorkerTimeout)
				_ = p.Validate()
				_ = p.IsSet(WorkDir)
				_ = p.Source(WorkDir)
				_ = p.Names()
				_ = p.Warnings()
			}
		}()
	}
	wg.Wait()
}

func TestZeroValue(t *testing.T) {
	var p Properties
	if v, err := p.Get(MasterRPCPort); err != nil || v != "19998" {
		t.Errorf("Get = %q, %v", v, err)
	}
	p.Set(MasterRPCPort, "1")
	if n, err := p.GetInt(MasterRPCPort); err != nil || n != 1 {
		t.Errorf("GetInt = %d, %v", n, err)
	}
	if err := p.Clone().Validate(); err != nil {
		t.Error(err)
	}
}
