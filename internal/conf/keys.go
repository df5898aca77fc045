package conf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// KeyType is the kind of value a key holds; it decides how Validate checks
// the value and which getter a component should use.
type KeyType int

// The value types. TypeList is comma separated; TypeRatio is a float in [0, 1].
const (
	TypeString KeyType = iota
	TypeInt
	TypeBool
	TypeDuration
	TypeBytes
	TypeEnum
	TypeList
	TypeRatio
)

var typeNames = [...]string{"string", "int", "bool", "duration", "bytes", "enum", "list", "ratio"}

func (t KeyType) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "KeyType(" + strconv.Itoa(int(t)) + ")"
}

// Key describes one property: its Alluxio name, its default (which may hold
// ${key} templates), its type, the allowed values of an enum, and a line of
// documentation. A Duration key whose Doc mentions -1 accepts negative values
// (meaning "never" or "none"); others reject them.
type Key struct {
	Name    string
	Default string
	Type    KeyType
	Enum    []string
	Doc     string
}

// allowsNegative reports whether a negative duration means something for k.
// Alluxio documents these sentinels in prose only, so the Doc is the source.
func (k Key) allowsNegative() bool { return strings.Contains(k.Doc, "-1") }

// registry maps every explicitly declared key to its description. It is
// built once from the tables in keys_*.go and never modified afterwards, so
// reading it needs no lock.
var registry = buildRegistry()

func buildRegistry() map[string]Key {
	m := make(map[string]Key)
	add := func(keys []Key) {
		for _, k := range keys {
			if _, dup := m[k.Name]; dup {
				panic("conf: key declared twice: " + k.Name)
			}
			m[k.Name] = inertDoc(k)
		}
	}
	add(generalKeys)
	add(masterKeys)
	add(journalKeys)
	add(workerKeys)
	add(userKeys)
	add(securityKeys)
	add(authnKeys)
	add(zookeeperKeys)
	add(fuseKeys)
	add(underfsKeys)
	for level := 0; level < declaredTierLevels; level++ {
		for _, suffix := range tierSuffixes {
			k, _ := tierKey(level, suffix)
			add([]Key{k})
		}
	}
	return m
}

// RootUFSOptionPrefix starts the keys that give the root mount's under
// storage its options (alluxio.master.mount.table.root.option.<option>),
// as in Alluxio.
const RootUFSOptionPrefix = "alluxio.master.mount.table.root.option."

// Lookup returns the registry's description of name. Besides the declared
// keys it recognises alluxio.worker.tieredstore.level<N>.* for any N and
// the root mount's options and the impersonation keys of any user, as
// Alluxio does.
func Lookup(name string) (Key, bool) {
	if k, ok := registry[name]; ok {
		return k, true
	}
	if level, suffix, ok := splitTierName(name); ok {
		return tierKey(level, suffix)
	}
	if k, ok := impersonationKey(name); ok {
		return k, true
	}
	if opt, ok := strings.CutPrefix(name, RootUFSOptionPrefix); ok && opt != "" {
		return Key{Name: name, Type: TypeString, Doc: "option " + opt + " of the root mount's under storage"}, true
	}
	return Key{}, false
}

// Keys returns every declared key sorted by name (tier levels 0 to 2 only),
// for listings such as `alluxio getConf` and generated documentation.
func Keys() []Key {
	keys := make([]Key, 0, len(registry))
	for _, k := range registry {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	return keys
}

// EnvName is the environment variable that sets key: upper case, dots
// become underscores (ALLUXIO_MASTER_HOSTNAME).
func EnvName(key string) string {
	return strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Tiered storage keys are per level, so they are declared by pattern.
const (
	tierPrefix         = "alluxio.worker.tieredstore.level"
	declaredTierLevels = 3
)

var tierSuffixes = []string{
	"alias", "dirs.path", "dirs.quota", "dirs.mediumtype",
	"watermark.high.ratio", "watermark.low.ratio",
}

// TierKey returns the name of a per-level tiered storage key, e.g.
// TierKey(0, "alias") is "alluxio.worker.tieredstore.level0.alias".
func TierKey(level int, suffix string) string {
	return tierPrefix + strconv.Itoa(level) + "." + suffix
}

func splitTierName(name string) (level int, suffix string, ok bool) {
	rest, found := strings.CutPrefix(name, tierPrefix)
	if !found {
		return 0, "", false
	}
	num, suffix, found := strings.Cut(rest, ".")
	if !found || num == "" || (len(num) > 1 && num[0] == '0') {
		return 0, "", false
	}
	level, err := strconv.Atoi(num)
	if err != nil || level < 0 {
		return 0, "", false
	}
	return level, suffix, true
}

// Alluxio's stock three tiers; deeper levels have no defaults.
var (
	tierAliases = []string{"MEM", "SSD", "HDD"}
	tierPaths   = []string{"/mnt/ramdisk", "/mnt/ssd", "/mnt/hdd"}
)

func tierKey(level int, suffix string) (Key, bool) {
	name := TierKey(level, suffix)
	pick := func(vals []string) string {
		if level < len(vals) {
			return vals[level]
		}
		return ""
	}
	switch suffix {
	case "alias":
		return Key{name, pick(tierAliases), TypeString, nil,
			fmt.Sprintf("Storage alias of tier %d (MEM, SSD, HDD or any name); tiers are ordered by level.", level)}, true
	case "dirs.path":
		return Key{name, pick(tierPaths), TypeList, nil,
			fmt.Sprintf("Comma separated directories that hold the blocks of tier %d.", level)}, true
	case "dirs.quota":
		def := ""
		if level == 0 {
			def = "${" + WorkerRamdiskSize + "}"
		}
		return Key{name, def, TypeList, nil,
			fmt.Sprintf("Comma separated capacities (sizes such as 10GB), one per directory of tier %d.", level)}, true
	case "dirs.mediumtype":
		return Key{name, "${" + TierKey(level, "alias") + "}", TypeList, nil,
			fmt.Sprintf("Comma separated medium types, one per directory of tier %d.", level)}, true
	case "watermark.high.ratio":
		return Key{name, "0.95", TypeRatio, nil,
			fmt.Sprintf("Fraction of tier %d's capacity above which the worker starts evicting.", level)}, true
	case "watermark.low.ratio":
		return Key{name, "0.7", TypeRatio, nil,
			fmt.Sprintf("Fraction of tier %d's capacity the worker evicts down to.", level)}, true
	}
	return Key{}, false
}
