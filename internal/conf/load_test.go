package conf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeSite(t *testing.T, dir, content string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SiteFileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadPrecedence(t *testing.T) {
	const key = MasterHostname
	env := EnvName(key)
	tests := []struct {
		name       string
		file       bool
		javaOpts   bool
		env        bool
		define     bool
		want       string
		wantSource string // "file" is completed with the path
	}{
		{"default", false, false, false, false, "", SourceDefault},
		{"file", true, false, false, false, "from-file", "file"},
		{"java opts over file", true, true, false, false, "from-java", "environment " + JavaOptsEnv},
		{"env over java opts", true, true, true, false, "from-env", "environment " + env},
		{"define over all", true, true, true, true, "from-define", SourceDefine},
		{"define over file", true, false, false, true, "from-define", SourceDefine},
		{"env over file", true, false, true, false, "from-env", "environment " + env},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeSite(t, dir, "# site\n\n"+key+"=from-file\n")
			vars := map[string]string{}
			if !tt.file {
				os.Remove(path)
			}
			if tt.javaOpts {
				vars[JavaOptsEnv] = "-Xmx1g -D" + key + "=from-java"
			}
			if tt.env {
				vars[env] = "from-env"
			}
			var defines []string
			if tt.define {
				defines = []string{key + "=from-define"}
			}
			p, err := Load(LoadOptions{Defines: defines, Getenv: envFunc(vars), SearchPath: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := p.Get(key); err != nil || got != tt.want {
				t.Errorf("Get = %q, %v; want %q", got, err, tt.want)
			}
			want := tt.wantSource
			if want == "file" {
				want = "file " + path + ":3"
			}
			if got := p.Source(key); got != want {
				t.Errorf("Source = %q, want %q", got, want)
			}
			if p.IsSet(key) != (tt.wantSource != SourceDefault) {
				t.Errorf("IsSet = %v", p.IsSet(key))
			}
		})
	}
}

func TestLoadTemplatesAcrossSources(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, "alluxio.work.dir=/data\nalluxio.master.hostname = m1  \n")
	p, err := Load(LoadOptions{
		Defines:    []string{MasterJournalFolder + "=${alluxio.work.dir}/j", "x.addr=${alluxio.master.hostname}:${alluxio.master.rpc.port}"},
		Getenv:     envFunc(map[string]string{"ALLUXIO_MASTER_RPC_PORT": "1234"}),
		SearchPath: []string{dir},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		MasterJournalFolder: "/data/j",
		LogsDir:             "/data/logs",
		"x.addr":            "m1:1234", // file value's trailing blanks trimmed
	} {
		if got, err := p.Get(name); err != nil || got != want {
			t.Errorf("Get(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLoadSearchOrder(t *testing.T) {
	if _, err := os.Stat("/etc/alluxio/" + SiteFileName); err == nil {
		t.Skip("/etc/alluxio has a site file; the search order cannot be tested here")
	}
	tests := []struct {
		name  string
		files []string // which of confdir, user, home hold a file
		conf  string   // how the conf dir is given: env, define, java, or none
		want  string   // which file wins; "" for none
	}{
		{"conf dir first", []string{"confdir", "user", "home"}, "env", "confdir"},
		{"conf dir from -D", []string{"confdir", "user", "home"}, "define", "confdir"},
		{"conf dir from java opts", []string{"confdir", "user"}, "java", "confdir"},
		{"then ~/.alluxio", []string{"user", "home"}, "env", "user"},
		{"then ALLUXIO_HOME/conf", []string{"home"}, "env", "home"},
		{"conf dir unset", []string{"confdir", "home"}, "none", "home"},
		{"none", nil, "env", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dirs := map[string]string{
				"confdir": filepath.Join(root, "confdir"),
				"user":    filepath.Join(root, "user", ".alluxio"),
				"home":    filepath.Join(root, "install", "conf"),
			}
			for _, f := range tt.files {
				writeSite(t, dirs[f], "x.which="+f+"\n")
			}
			vars := map[string]string{"ALLUXIO_HOME": filepath.Join(root, "install")}
			var defines []string
			switch tt.conf {
			case "env":
				vars["ALLUXIO_CONF_DIR"] = dirs["confdir"]
			case "define":
				defines = append(defines, ConfDir+"="+dirs["confdir"])
			case "java":
				vars[JavaOptsEnv] = "-D" + ConfDir + "=" + dirs["confdir"]
			}
			p, err := Load(LoadOptions{Defines: defines, Getenv: envFunc(vars), HomeDir: filepath.Join(root, "user")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Get("x.which")
			if tt.want == "" {
				if err == nil || p.SiteFile() != "" {
					t.Errorf("found %q in %q, want no file", got, p.SiteFile())
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("x.which = %q, %v; want %q", got, err, tt.want)
			}
			if want := filepath.Join(dirs[tt.want], SiteFileName); p.SiteFile() != want {
				t.Errorf("SiteFile = %q, want %q", p.SiteFile(), want)
			}
		})
	}
}

func TestLoadSearchPathOverride(t *testing.T) {
	root := t.TempDir()
	a, b, c := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "c")
	if err := os.MkdirAll(filepath.Join(a, SiteFileName), 0o755); err != nil { // a directory, not a file
		t.Fatal(err)
	}
	writeSite(t, b, "x.which=b")
	writeSite(t, c, "x.which=c")
	p, err := Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{"", filepath.Join(root, "missing"), a, b, c}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Get("x.which"); got != "b" {
		t.Errorf("x.which = %q, want b", got)
	}

	p, err = Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{}})
	if err != nil || p.SiteFile() != "" || len(p.Names()) != len(Keys()) {
		t.Errorf("empty search path: %v, %q", err, p.SiteFile())
	}
}

func TestLoadWarnings(t *testing.T) {
	dir := t.TempDir()
	path := writeSite(t, dir, "alluxio.master.hostnme=m1\nlog4j.rootLogger=INFO\nalluxio.master.hostname=m1\n")
	p, err := Load(LoadOptions{
		Defines:    []string{"alluxio.typo=1", "spark.x=1", "alluxio.worker.tieredstore.level5.alias=NVME"},
		Getenv:     envFunc(map[string]string{JavaOptsEnv: "-server -Dalluxio.user.nope=2 -Dlog4j.debug -Xmx2g"}),
		SearchPath: []string{dir},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"unknown property alluxio.typo set by -D",
		"unknown property alluxio.user.nope set by environment ALLUXIO_JAVA_OPTS",
		"unknown property alluxio.master.hostnme set by file " + path + ":1",
	}
	if got := p.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Warnings =\n%q\nwant\n%q", got, want)
	}
	// Unknown keys are kept so a template or another tool can read them.
	for name, want := range map[string]string{"log4j.rootLogger": "INFO", "spark.x": "1", "log4j.debug": "",
		"alluxio.typo": "1", TierKey(5, "alias"): "NVME"} {
		if got, err := p.Get(name); err != nil || got != want {
			t.Errorf("Get(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestLoadEnv(t *testing.T) {
	p, err := Load(LoadOptions{
		Getenv: envFunc(map[string]string{
			"ALLUXIO_ZOOKEEPER_SESSION_TIMEOUT":           "60s",
			"ALLUXIO_WORKER_TIEREDSTORE_LEVEL0_DIRS_PATH": "/dev/shm",
			"ALLUXIO_MASTER_HOSTNAME":                     "", // empty counts as unset
			"ALLUXIO_LOGS_DIR":                            "/var/log/alluxio",
			"alluxio.master.rpc.port":                     "1", // not an env name
		}),
		SearchPath: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		ZookeeperSessionTimeout: "60s",
		TierKey(0, "dirs.path"): "/dev/shm",
		MasterHostname:          "",
		LogsDir:                 "/var/log/alluxio",
		MasterRPCPort:           "19998",
	} {
		if got, _ := p.Get(name); got != want {
			t.Errorf("Get(%s) = %q, want %q", name, got, want)
		}
	}
	if p.IsSet(MasterHostname) {
		t.Error("empty env var counted as set")
	}
	if got := p.Source(LogsDir); got != "environment ALLUXIO_LOGS_DIR" {
		t.Errorf("Source = %q", got)
	}
}

func TestJavaOpts(t *testing.T) {
	got := javaOpts("  -Xmx1g -Da=1 -Db=x=y\t-Dc -D -D=v -XX:+UseG1GC -Dd= ")
	want := []sourced{
		{"a", "1", "environment " + JavaOptsEnv},
		{"b", "x=y", "environment " + JavaOptsEnv},
		{"c", "", "environment " + JavaOptsEnv},
		{"d", "", "environment " + JavaOptsEnv},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("javaOpts = %q, want %q", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	path := writeSite(t, dir, "a=1\nb=\\u00zz\n")
	tests := []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"define without equals", LoadOptions{Defines: []string{"alluxio.master.hostname"}}, `-D "alluxio.master.hostname": want key=value`},
		{"define without key", LoadOptions{Defines: []string{"=x"}}, `-D "=x": want key=value`},
		{"malformed file", LoadOptions{SearchPath: []string{dir}}, path + ": line 2: malformed"},
		{"conf dir template cycle", LoadOptions{Defines: []string{ConfDir + "=${alluxio.conf.dir}"}}, "template cycle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Getenv = envFunc(nil)
			tt.opts.HomeDir = t.TempDir()
			_, err := Load(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// A site file that is there but cannot be read is an error naming it, not
// a file skipped: for anyone, one that is a link to itself; for a user
// other than root, one without read permission.
func TestLoadUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SiteFileName)
	if err := os.Symlink(path, path); err != nil {
		t.Fatal(err)
	}
	_, err := Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{dir}})
	if !errors.Is(err, syscall.ELOOP) || !strings.Contains(err.Error(), path) {
		t.Errorf("site file that links to itself: error = %v, want one naming %s", err, path)
	}
	if os.Geteuid() == 0 {
		return // root reads any file
	}
	dir = t.TempDir()
	path = writeSite(t, dir, "a=1")
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = Load(LoadOptions{Getenv: envFunc(nil), SearchPath: []string{dir}})
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("error = %v, want permission denied", err)
	}
}
