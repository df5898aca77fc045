package conf

import (
	"fmt"
	"strings"
)

// maxExpanded bounds an expanded value. Templates can double a value at each
// level (a=${b}${b}, b=${c}${c}, ...), so without a bound a short file could
// ask for gigabytes.
const maxExpanded = 1 << 20

// maxNesting bounds ${...${...}...} nesting inside one value; each level
// rescans its text, and no real file nests more than a couple.
const maxNesting = 16

// maxChain bounds how many keys one expansion may pass through (a=${b},
// b=${c}, ...), which keeps the cycle check cheap and the stack shallow.
const maxChain = 256

// resolver expands ${key} templates for one read. It memoises each key's
// expansion so a key used many times is expanded once, and keeps the chain
// of keys being expanded to report cycles by name.
type resolver struct {
	p     *Properties
	memo  map[string]string
	chain []string
	depth int // nesting of references inside the value being expanded
}

func newResolver(p *Properties) *resolver {
	return &resolver{p: p, memo: make(map[string]string)}
}

// value returns the expanded value of name. The caller holds p.mu.
func (r *resolver) value(name string) (string, error) {
	if v, ok := r.memo[name]; ok {
		return v, nil
	}
	for i, k := range r.chain {
		if k == name {
			loop := append(append([]string(nil), r.chain[i:]...), name)
			return "", fmt.Errorf("%w: %s", ErrCycle, strings.Join(loop, " -> "))
		}
	}
	raw, ok := r.p.raw(name)
	if !ok {
		return "", fmt.Errorf("%s: %w", name, ErrUnknownKey)
	}
	if len(r.chain) == maxChain {
		return "", fmt.Errorf("%s: templates refer through more than %d keys", name, maxChain)
	}
	r.chain = append(r.chain, name)
	depth := r.depth
	r.depth = 0
	v, err := r.expand(raw)
	r.depth = depth
	r.chain = r.chain[:len(r.chain)-1]
	if err != nil {
		return "", err
	}
	r.memo[name] = v
	return v, nil
}

// expand replaces each ${key} in s. A reference may itself hold templates
// (${alluxio.${x}.dir}), so the text between the braces is expanded first.
// An unclosed "${" is kept as text, as Alluxio does.
func (r *resolver) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		end := closingBrace(s, i+2)
		if end < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		if r.depth == maxNesting {
			return "", fmt.Errorf("%s: templates nested more than %d deep", r.current(), maxNesting)
		}
		r.depth++
		ref, err := r.expand(s[i+2 : end])
		r.depth--
		if err != nil {
			return "", err
		}
		ref = strings.TrimSpace(ref)
		if _, known := r.p.raw(ref); !known {
			return "", fmt.Errorf("%s: ${%s}: %w", r.current(), ref, ErrUnknownKey)
		}
		v, err := r.value(ref)
		if err != nil {
			return "", err
		}
		if b.Len()+len(v) > maxExpanded {
			return "", fmt.Errorf("%s: expanded value longer than %d bytes", r.current(), maxExpanded)
		}
		b.WriteString(v)
		s = s[end+1:]
	}
	if b.Len() > maxExpanded {
		return "", fmt.Errorf("%s: expanded value longer than %d bytes", r.current(), maxExpanded)
	}
	return b.String(), nil
}

// current is the key whose value is being expanded.
func (r *resolver) current() string {
	if len(r.chain) == 0 {
		return "value"
	}
	return r.chain[len(r.chain)-1]
}

// closingBrace returns the index of the '}' that closes the "${" whose
// contents start at from, counting nested "${", or -1.
func closingBrace(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
