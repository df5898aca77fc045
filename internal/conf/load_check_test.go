package conf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestLoadRefusesBadValues: a value a source sets is checked at load, and
// the error names the key, the value and where it was set.
func TestLoadRefusesBadValues(t *testing.T) {
	for _, tt := range []struct{ key, value, reason string }{
		{SecurityAuthenticationType, "KERBEROS", "want one of NOSASL, SIMPLE, CUSTOM"},
		{SecurityAuthenticationType, "BOGUS", "want one of"},
		{UserFileWriteTypeDefault, "BOGUS", "want one of MUST_CACHE, CACHE_THROUGH, THROUGH, ASYNC_THROUGH"},
		{MasterJournalType, "NOOP", "want one of EMBEDDED, UFS"},
		{UserBlockSizeBytesDefault, "0", "must be at least 1MB"},
		{UserBlockSizeBytesDefault, "1", "must be at least 1MB"},
		{UserBlockSizeBytesDefault, "512KB", "must be at least 1MB"},
		{UserFileBufferBytes, "0", "must be at least 1B"},
		{UserFileBufferBytes, "2GB", "must be at most 1GB"},
		{UserFileBufferBytes, "xyz", "invalid"},
		{ZookeeperSessionTimeout, "soon", "invalid"},
		{MasterRPCPort, "70000", "port out of range"},
	} {
		quoted := tt.key + ` ("` + tt.value + `")`
		t.Run(tt.key+"="+tt.value+" by -D", func(t *testing.T) {
			_, err := Load(LoadOptions{Defines: []string{tt.key + "=" + tt.value}, Getenv: envFunc(nil), SearchPath: []string{}})
			if err == nil || !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), quoted) ||
				!strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "set by -D") {
				t.Errorf("Load = %v; want an error naming %s, %q and -D", err, quoted, tt.reason)
			}
		})
		t.Run(tt.key+"="+tt.value+" in the site file", func(t *testing.T) {
			dir := t.TempDir()
			path := writeSite(t, dir, "# site\n"+tt.key+"="+tt.value+"\n")
			_, err := Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{dir}})
			if err == nil || !strings.Contains(err.Error(), quoted) || !strings.Contains(err.Error(), path+":2") {
				t.Errorf("Load = %v; want an error naming %s and %s:2", err, quoted, path)
			}
		})
	}
	// Good values of the same keys load.
	p, err := Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{}, Defines: []string{
		SecurityAuthenticationType + "=simple", UserBlockSizeBytesDefault + "=1MB", UserFileBufferBytes + "=1GB"}})
	if err != nil {
		t.Fatal(err)
	}
	if bs, err := p.GetBytes(UserBlockSizeBytesDefault); err != nil || bs != MinBlockSize {
		t.Errorf("block size = %d, %v", bs, err)
	}
}

// TestEveryEnumKeyValidatedAtLoad: whatever key has a fixed set of values,
// a value outside it stops Load with the key's name.
func TestEveryEnumKeyValidatedAtLoad(t *testing.T) {
	n := 0
	for _, k := range Keys() {
		if k.Type != TypeEnum {
			continue
		}
		n++
		_, err := Load(LoadOptions{Defines: []string{k.Name + "=BOGUS"}, Getenv: envFunc(nil), SearchPath: []string{}})
		if err == nil || !strings.Contains(err.Error(), k.Name+` ("BOGUS")`) {
			t.Errorf("%s=BOGUS: Load = %v", k.Name, err)
		}
	}
	if n < 7 {
		t.Errorf("only %d enum keys declared; the write, read, load and TTL action types, journal, metastore and authentication are", n)
	}
}

// TestLoadWarnsGarbageLines: lines of a site file that are not key=value
// are skipped with a warning naming the file and line.
func TestLoadWarnsGarbageLines(t *testing.T) {
	dir := t.TempDir()
	path := writeSite(t, dir, "alluxio.master.hostname=m1\ngarbage line here\n=orphan value\njustaword\n"+
		"alluxio.master.rpc.port 19998\nlog4j.rootLogger=INFO\n")
	p, err := Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		path + `:2: not a key=value property line, ignored: "garbage line here"`,
		path + `:3: not a key=value property line, ignored: "=orphan value"`,
		path + `:4: not a key=value property line, ignored: "justaword"`,
	}
	if got := p.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Warnings =\n%q\nwant\n%q", got, want)
	}
	if p.IsSet("garbage") || p.IsSet("justaword") {
		t.Error("a garbage line was kept as a property")
	}
	// Java's "key value" form of a known key is a property.
	if port, err := p.GetInt(MasterRPCPort); err != nil || port != 19998 || !p.IsSet(MasterRPCPort) {
		t.Errorf("rpc port = %d, %v", port, err)
	}
}

// TestInertKeysWarnAndSaySo: keys accepted but not acted on say so in
// their description and warn when set, unless set to what the code does.
func TestInertKeysWarnAndSaySo(t *testing.T) {
	for name := range noEffect {
		k, ok := Lookup(name)
		if !ok {
			t.Errorf("%s is not declared", name)
			continue
		}
		if !strings.Contains(k.Doc, "No effect yet: ") {
			t.Errorf("%s: description %q does not say it has no effect", name, k.Doc)
		}
	}
	for _, tt := range []struct {
		define string
		warns  bool
	}{
		{SecurityAuthenticationType + "=NOSASL", false},
		{SecurityAuthenticationType + "=SIMPLE", false},
		{SecurityAuthorizationPermissionEnabled + "=true", false},
		{SecurityAuthorizationPermissionEnabled + "=false", false},
		{SecurityAuthorizationPermissionSupergroup + "=admins", false},
		{MasterJournalFlushBatchTime + "=5ms", true},
		{MasterJournalFlushTimeout + "=1min", true},
		{MasterMetastore + "=ROCKS", true},
		{MasterMetastore + "=heap", false},
		{MasterHostname + "=m1", false},
	} {
		p, err := Load(LoadOptions{Defines: []string{tt.define}, Getenv: envFunc(nil), SearchPath: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		name, _, _ := strings.Cut(tt.define, "=")
		warned := false
		for _, w := range p.Warnings() {
			if strings.HasPrefix(w, tt.define+" (set by -D) has no effect yet: ") {
				warned = true
			}
		}
		if warned != tt.warns {
			t.Errorf("-D %s: warnings %q, want a no-effect warning for %s: %v", tt.define, p.Warnings(), name, tt.warns)
		}
	}
}
