package client

import (
	"strings"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// URI is a parsed Alluxio path with the way to find the masters, if it names
// one. The forms Alluxio users write all parse:
//
//	/path                                        masters from configuration
//	alluxio://host:19998/path                    one master
//	alluxio://m1:19998,m2:19998,m3:19998/path    masters to ask who is primary
//	alluxio://zk@zk1:2181,zk2:2181/path          ZooKeeper knows the primary (";" or "+" may separate)
//	alluxio-ft:///path                           ZooKeeper from configuration (Alluxio 1.x)
type URI struct {
	// Masters are rpc addresses from the authority; empty when not given.
	Masters []string
	// ZooKeeper are ZooKeeper addresses from a zk@ authority.
	ZooKeeper []string
	// FaultTolerant is set by the alluxio-ft scheme: find the primary
	// through the configured ZooKeeper.
	FaultTolerant bool
	Path          string
}

// ParseURI parses s. It checks the form, not the path's rules (the master
// does that).
func ParseURI(s string) (URI, error) {
	var u URI
	rest := s
	switch {
	case strings.HasPrefix(s, "alluxio://"):
		rest = s[len("alluxio://"):]
	case strings.HasPrefix(s, "alluxio-ft://"):
		u.FaultTolerant = true
		rest = s[len("alluxio-ft://"):]
	case strings.Contains(s, "://"):
		return u, errs.New(errs.ErrInvalidPath, "%q: the scheme must be alluxio:// or alluxio-ft://", s)
	default:
		if s == "" {
			return u, errs.New(errs.ErrInvalidPath, "empty path")
		}
		if !strings.HasPrefix(s, "/") {
			return u, errs.New(errs.ErrInvalidPath, "%q: the path must be absolute", s)
		}
		u.Path = s
		return u, nil
	}
	authority, path, _ := strings.Cut(rest, "/")
	u.Path = "/" + path
	if authority == "" {
		return u, nil
	}
	if u.FaultTolerant {
		return u, errs.New(errs.ErrInvalidPath, "%q: alluxio-ft:// takes no authority; ZooKeeper comes from configuration", s)
	}
	if zk, ok := strings.CutPrefix(authority, "zk@"); ok {
		addrs, err := splitAddresses(zk, s)
		u.ZooKeeper = addrs
		return u, err
	}
	addrs, err := splitAddresses(authority, s)
	u.Masters = addrs
	return u, err
}

func splitAddresses(list, whole string) ([]string, error) {
	f := func(r rune) bool { return r == ',' || r == ';' || r == '+' }
	var out []string
	for _, a := range strings.FieldsFunc(list, f) {
		host, port, ok := strings.Cut(a, ":")
		if !ok || host == "" || port == "" || strings.Trim(port, "0123456789") != "" {
			return nil, errs.New(errs.ErrInvalidPath, "%q: %q is not host:port", whole, a)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errs.New(errs.ErrInvalidPath, "%q: no address in the authority", whole)
	}
	return out, nil
}
