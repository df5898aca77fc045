package security

import (
	"crypto/tls"
	"strings"

	"github.com/alluxio-go/alluxio/internal/conf"
)

// Config is what a process reads once from its properties about who it is
// and whom it trusts.
type Config struct {
	// AuthType is alluxio.security.authentication.type (NoSASL or
	// Simple; never TLS, which TLS != nil implies for servers).
	AuthType AuthType
	// TLS is the mutual TLS material; nil unless
	// alluxio.network.tls.enabled.
	TLS *TLSCreds
	// LoginUser is alluxio.security.login.username; "" means the OS user.
	LoginUser string
	// WebUser is the user of a web UI request that names none under
	// SIMPLE (alluxio.security.web.login.username).
	WebUser string
	// ImpersonateAs is the user a client acts for
	// (alluxio.security.login.impersonation.username), "" for its login
	// user itself.
	ImpersonateAs string
	// Impersonation is what masters allow
	// (alluxio.master.security.impersonation.*).
	Impersonation *Impersonation
}

// noImpersonation are the values of
// alluxio.security.login.impersonation.username that mean "act as the
// login user": Alluxio's _NONE_, and its default _HDFS_USER_ (the Hadoop
// client's user; there is no Hadoop client here).
var noImpersonation = map[string]bool{"": true, "_NONE_": true, "_HDFS_USER_": true}

// ConfigFromProperties reads the security keys. Errors name the key.
func ConfigFromProperties(p *conf.Properties) (Config, error) {
	var c Config
	v, err := p.Get(conf.SecurityAuthenticationType)
	if err != nil {
		return c, err
	}
	if c.AuthType, err = ParseAuthType(v); err != nil {
		return c, err
	}
	on, err := p.GetBool(conf.NetworkTLSEnabled)
	if err != nil {
		return c, err
	}
	if on {
		f := TLSFiles{}
		for _, kv := range []struct {
			key string
			dst *string
		}{{conf.NetworkTLSCertFile, &f.CertFile}, {conf.NetworkTLSKeyFile, &f.KeyFile}, {conf.NetworkTLSCAFile, &f.CAFile}} {
			if *kv.dst, err = p.Get(kv.key); err != nil {
				return c, err
			}
		}
		if c.TLS, err = LoadTLS(f); err != nil {
			return c, err
		}
	}
	if c.LoginUser, err = p.Get(conf.SecurityLoginUsername); err != nil {
		return c, err
	}
	if c.WebUser, err = p.Get(conf.SecurityWebLoginUsername); err != nil {
		return c, err
	}
	as, err := p.Get(conf.SecurityLoginImpersonationUsername)
	if err != nil {
		return c, err
	}
	if as = strings.TrimSpace(as); !noImpersonation[as] {
		c.ImpersonateAs = as
	}
	rules := map[string]string{}
	for _, name := range p.Names() {
		if strings.HasPrefix(name, ImpersonationPrefix) && p.IsSet(name) {
			rules[name], _ = p.Get(name)
		}
	}
	if c.Impersonation, err = ParseImpersonation(rules); err != nil {
		return c, err
	}
	return c, nil
}

// ServerType is the authentication type of this process's servers: TLS
// when mutual TLS is on (unless NOSASL), else AuthType.
func (c Config) ServerType() AuthType {
	switch {
	case c.TLS != nil && c.AuthType != NoSASL:
		return TLS
	case c.AuthType == "":
		return Simple
	}
	return c.AuthType
}

// ClientTLS is the client side of c.TLS, nil without TLS.
func (c Config) ClientTLS() *tls.Config {
	if c.TLS == nil {
		return nil
	}
	return c.TLS.ClientConfig()
}

// ServerTLS is the server side of c.TLS, nil without TLS.
func (c Config) ServerTLS() *tls.Config {
	if c.TLS == nil {
		return nil
	}
	return c.TLS.ServerConfig()
}
