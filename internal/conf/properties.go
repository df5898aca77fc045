package conf

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Source names for values that come from neither the environment nor a file.
const (
	SourceDefault = "default"
	SourceDefine  = "-D"
	SourceSet     = "Set"
)

// setting is a value with a description of where it came from, for
// `alluxio getConf --source` style answers and for warnings.
type setting struct {
	value, source string
}

// Properties is a resolved view of the configuration sources. Values are
// kept as written and templates are expanded on each read, so a Set of
// alluxio.work.dir moves every path defined relative to it. The zero value
// holds only the defaults, like New. It is safe for concurrent use.
type Properties struct {
	mu       sync.RWMutex
	values   map[string]setting // every non-default value, highest precedence only
	warnings []string
	siteFile string
}

// New returns Properties holding only the defaults, for tests and for
// programs that set everything with Set.
func New() *Properties {
	return &Properties{values: make(map[string]setting)}
}

// raw is name's unexpanded value: the set one, else the default. The caller
// holds p.mu.
func (p *Properties) raw(name string) (string, bool) {
	if s, ok := p.values[name]; ok {
		return s.value, true
	}
	if k, ok := Lookup(name); ok {
		return k.Default, true
	}
	return "", false
}

// put records a value from a source; later puts win, so Load applies the
// sources from lowest precedence to highest.
func (p *Properties) put(name, value, source string) {
	if p.values == nil {
		p.values = make(map[string]setting)
	}
	p.values[name] = setting{value: value, source: source}
}

// Set overrides name with value above every other source. It is for tests
// and for commands such as `alluxio local` that configure a process in code.
func (p *Properties) Set(name, value string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.put(name, value, SourceSet)
}

// Get returns name's value with templates expanded. It fails for a key that
// is neither in the registry nor set by any source, and for a template that
// refers to an unknown key or to itself.
func (p *Properties) Get(name string) (string, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.get(newResolver(p), name)
}

func (p *Properties) get(r *resolver, name string) (string, error) {
	v, err := r.value(name)
	if err != nil && !strings.HasPrefix(err.Error(), name+":") {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return v, err
}

// GetString is Get; it exists so call sites read alike whatever the type.
func (p *Properties) GetString(name string) (string, error) { return p.Get(name) }

// GetInt returns name's value as an int. Ports must be in 0..65535.
func (p *Properties) GetInt(name string) (int, error) {
	v, err := p.Get(name)
	if err != nil {
		return 0, err
	}
	return intValue(name, v)
}

// GetBool returns name's value, which must be true or false in any case.
func (p *Properties) GetBool(name string) (bool, error) {
	v, err := p.Get(name)
	if err != nil {
		return false, err
	}
	return boolValue(name, v)
}

// GetDuration returns name's value parsed by ParseDuration. A negative value
// is an error unless the key's Doc gives -1 a meaning.
func (p *Properties) GetDuration(name string) (time.Duration, error) {
	v, err := p.Get(name)
	if err != nil {
		return 0, err
	}
	return durationValue(name, v)
}

// GetBytes returns name's value parsed by ParseBytes.
func (p *Properties) GetBytes(name string) (int64, error) {
	v, err := p.Get(name)
	if err != nil {
		return 0, err
	}
	return bytesValue(name, v)
}

// GetRatio returns name's value as a float in [0, 1].
func (p *Properties) GetRatio(name string) (float64, error) {
	v, err := p.Get(name)
	if err != nil {
		return 0, err
	}
	return ratioValue(name, v)
}

// GetList returns name's comma separated value with blanks around items and
// empty items dropped; an empty value is an empty list.
func (p *Properties) GetList(name string) ([]string, error) {
	v, err := p.Get(name)
	if err != nil {
		return nil, err
	}
	return listValue(v), nil
}

// GetEnum returns name's value spelled as in the key's Enum (the match
// ignores case, as Alluxio's does).
func (p *Properties) GetEnum(name string) (string, error) {
	v, err := p.Get(name)
	if err != nil {
		return "", err
	}
	return enumValue(name, v)
}

// IsSet reports whether a source other than the defaults gave name a value.
func (p *Properties) IsSet(name string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.values[name]
	return ok
}

// Source says where name's value comes from: "-D", "Set",
// "environment ALLUXIO_X", "environment ALLUXIO_JAVA_OPTS",
// "file /path:line" or "default"; "" for an unknown key.
func (p *Properties) Source(name string) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if s, ok := p.values[name]; ok {
		return s.source
	}
	if _, ok := Lookup(name); ok {
		return SourceDefault
	}
	return ""
}

// Names returns, sorted, every declared key and every other key a source
// set, for printing the effective configuration.
func (p *Properties) Names() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	names := make([]string, 0, len(registry)+len(p.values))
	for name := range registry {
		names = append(names, name)
	}
	for name := range p.values {
		if _, declared := registry[name]; !declared {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Warnings returns what Load found suspicious but not fatal, such as unknown
// alluxio.* keys (usually misspellings), each naming the source that set it.
// The caller decides whether and where to log them.
func (p *Properties) Warnings() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]string(nil), p.warnings...)
}

// SiteFile is the path of the alluxio-site.properties Load read, or "".
func (p *Properties) SiteFile() string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.siteFile
}

// Clone returns an independent copy; Set on one does not affect the other.
func (p *Properties) Clone() *Properties {
	p.mu.RLock()
	defer p.mu.RUnlock()
	c := &Properties{
		values:   make(map[string]setting, len(p.values)),
		warnings: append([]string(nil), p.warnings...),
		siteFile: p.siteFile,
	}
	for k, v := range p.values {
		c.values[k] = v
	}
	return c
}
