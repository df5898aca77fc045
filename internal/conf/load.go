package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SiteFileName is the file Load looks for in each directory of the search
// path.
const SiteFileName = "alluxio-site.properties"

// JavaOptsEnv holds "-Dkey=value" items, as Alluxio's launch scripts pass
// them to the JVM; other items (-Xmx...) are ignored.
const JavaOptsEnv = "ALLUXIO_JAVA_OPTS"

// LoadOptions says where Load reads from. The zero value reads the process's
// environment, home directory and the standard site file locations.
type LoadOptions struct {
	// Defines are "key=value" strings from -D flags, the highest precedence.
	Defines []string
	// Getenv looks up environment variables; nil means os.Getenv. Tests
	// inject a map so they need not touch the process environment.
	Getenv func(string) string
	// HomeDir is the user's home directory, searched as ~/.alluxio; empty
	// means os.UserHomeDir.
	HomeDir string
	// SearchPath, when not nil, replaces the directories searched for the
	// site file ($ALLUXIO_CONF_DIR, ~/.alluxio, /etc/alluxio,
	// $ALLUXIO_HOME/conf).
	SearchPath []string
}

// sourced is one value from one source, before precedence is applied.
type sourced struct {
	name, value, source string
}

// Load reads every source and returns the merged properties. Precedence,
// highest first: Defines, per-key environment variables, -D items of
// ALLUXIO_JAVA_OPTS, the first alluxio-site.properties in the search path,
// defaults. A missing site file is not an error; an unreadable or malformed
// one, or a Define without '=', is. Unknown alluxio.* keys are reported by
// Warnings, not rejected, because Alluxio files carry keys for features this
// project does not have.
func Load(opts LoadOptions) (*Properties, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	defines, err := parseDefines(opts.Defines)
	if err != nil {
		return nil, err
	}
	java, env := javaOpts(getenv(JavaOptsEnv)), envValues(getenv)
	// Lowest precedence first, so later layers overwrite earlier ones.
	above := [][]sourced{java, env, defines}

	dirs := opts.SearchPath
	if dirs == nil {
		// The sources above the file may say where the file is
		// (alluxio.conf.dir, alluxio.home), so consult them first.
		pre := New()
		applyLayers(pre, above)
		if dirs, err = pre.searchPath(opts.HomeDir); err != nil {
			return nil, err
		}
	}
	path, file, garbage, err := readSiteFile(dirs)
	if err != nil {
		return nil, err
	}

	p := New()
	p.siteFile = path
	p.warnings = garbage
	applyLayers(p, append([][]sourced{file}, above...))
	for _, layer := range [][]sourced{defines, env, java, file} {
		for _, s := range layer {
			_, known := Lookup(s.name)
			switch {
			case !known && strings.HasPrefix(s.name, "alluxio."):
				p.warnings = append(p.warnings, fmt.Sprintf("unknown property %s set by %s", s.name, s.source))
			}
			if w := inertWarning(s); w != "" {
				p.warnings = append(p.warnings, w)
			}
		}
	}
	// Every value a source set is checked now, so a typo in an enum or a
	// size stops every command, naming the key and where it was set,
	// instead of surfacing later as a default or a vague error.
	set := make(map[string]bool, len(p.values))
	for name := range p.values {
		set[name] = true
	}
	if errs := p.check(set, true); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func applyLayers(p *Properties, layers [][]sourced) {
	for _, layer := range layers {
		for _, s := range layer {
			p.put(s.name, s.value, s.source)
		}
	}
}

func parseDefines(defines []string) ([]sourced, error) {
	out := make([]sourced, 0, len(defines))
	for _, d := range defines {
		name, value, ok := strings.Cut(d, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("-D %q: want key=value", d)
		}
		out = append(out, sourced{name, value, SourceDefine})
	}
	return out, nil
}

// envValues reads the variable of every declared key. An empty variable
// counts as unset: os.Getenv cannot tell the two apart.
func envValues(getenv func(string) string) []sourced {
	var out []sourced
	for _, k := range Keys() {
		env := EnvName(k.Name)
		if v := getenv(env); v != "" {
			out = append(out, sourced{k.Name, v, "environment " + env})
		}
	}
	return out
}

// javaOpts picks the -Dkey=value items out of a JVM command line; a -Dkey
// without '=' sets the empty string, as the JVM does.
func javaOpts(s string) []sourced {
	var out []sourced
	for _, item := range strings.Fields(s) {
		def, ok := strings.CutPrefix(item, "-D")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(def, "=")
		if name != "" {
			out = append(out, sourced{name, value, "environment " + JavaOptsEnv})
		}
	}
	return out
}

// searchPath lists the directories that may hold the site file, in the
// order COMPAT.md gives: the configured conf dir, ~/.alluxio, /etc/alluxio,
// then the installation's conf directory.
func (p *Properties) searchPath(homeDir string) ([]string, error) {
	var dirs []string
	if p.IsSet(ConfDir) {
		dir, err := p.Get(ConfDir)
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, dir)
	}
	if homeDir == "" {
		homeDir, _ = os.UserHomeDir() // no home (a daemon user): skip it
	}
	if homeDir != "" {
		dirs = append(dirs, filepath.Join(homeDir, ".alluxio"))
	}
	dirs = append(dirs, "/etc/alluxio")
	home, err := p.Get(Home)
	if err != nil {
		return nil, err
	}
	return append(dirs, filepath.Join(home, "conf")), nil
}

// readSiteFile parses the first site file found in dirs. It returns "" and
// no values when there is none, and a warning for each line it ignored.
func readSiteFile(dirs []string) (string, []sourced, []string, error) {
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		path := filepath.Join(dir, SiteFileName)
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && info.IsDir()) {
			continue
		}
		if err != nil {
			return "", nil, nil, err
		}
		values, warnings, err := readPropertiesFile(path)
		return path, values, warnings, err
	}
	return "", nil, nil, nil
}

// readPropertiesFile reads a site file. A line that is not key=value (no
// separator and not a known key, or no key at all) is skipped with a
// warning naming the file and line: it is a typo or a stray paste, and
// taking "garbage line here" as the property garbage=line here would hide
// it.
func readPropertiesFile(path string) ([]sourced, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	entries, err := parseEntries(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]sourced, 0, len(entries))
	var warnings []string
	for _, e := range entries {
		if _, known := Lookup(e.key); e.key == "" || (e.bare && !known) {
			line := e.key + "=" + e.value
			if e.bare {
				line = strings.TrimSpace(e.key + " " + e.value)
			}
			warnings = append(warnings, fmt.Sprintf("%s:%d: not a key=value property line, ignored: %q", path, e.line, line))
			continue
		}
		// Java keeps trailing blanks in a value; Alluxio users never mean
		// them, and "19998 " would then fail as a port.
		out = append(out, sourced{e.key, strings.TrimSpace(e.value),
			"file " + path + ":" + strconv.Itoa(e.line)})
	}
	return out, warnings, nil
}
