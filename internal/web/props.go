package web

import (
	"sort"

	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// PropertiesOf lists every property of p with its value and source, for
// a Configuration page: sorted by name, secrets (underfs.IsSecret)
// masked, a value that does not resolve shown as its error.
func PropertiesOf(p *conf.Properties) []Property {
	if p == nil {
		return nil
	}
	var out []Property
	for _, name := range p.Names() {
		val, err := p.Get(name)
		if err != nil {
			val = "(" + err.Error() + ")"
		}
		if underfs.IsSecret(name) && val != "" {
			val = underfs.Masked
		}
		out = append(out, Property{Name: name, Value: val, Source: p.Source(name)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SortTiers orders tier aliases fastest first, as Alluxio does: MEM, SSD,
// HDD, then any others by name.
func SortTiers(aliases []string) {
	rank := map[string]int{"MEM": 0, "SSD": 1, "HDD": 2}
	of := func(a string) int {
		if r, ok := rank[a]; ok {
			return r
		}
		return len(rank)
	}
	sort.Slice(aliases, func(i, j int) bool {
		if ri, rj := of(aliases[i]), of(aliases[j]); ri != rj {
			return ri < rj
		}
		return aliases[i] < aliases[j]
	})
}
