package security

import (
	"net/http"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// WebUserParam is the query parameter a web page's user is named by under
// SIMPLE, as Hadoop's pseudo authentication names it (user.name); pages
// carry it on their links.
const WebUserParam = "user.name"

// DefaultWebUser is the user of a web request that names none when no
// alluxio.security.web.login.username is set: Hadoop's static web user.
// A web request under SIMPLE or TLS always has a user, so that it never
// passes as the server's own (unchecked) work.
const DefaultWebUser = "dr.who"

// IdentifyHTTP establishes who a request to a web UI comes from, by the
// rules of a's gRPC ports: under TLS the client certificate's common name;
// under SIMPLE the user the request names by WebUserParam, trusted as
// SIMPLE trusts a client's login user, or staticUser when it names none
// (alluxio.security.web.login.username, DefaultWebUser when "": a user
// with no groups, so the "other" bits apply); under NOSASL nobody. Web UIs do not impersonate.
func (a *Authenticator) IdentifyHTTP(r *http.Request, staticUser string) (Identity, error) {
	id := Identity{AuthType: a.Type, Addr: r.RemoteAddr}
	switch a.Type {
	case NoSASL:
		return id, nil
	case TLS:
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
			return id, errs.New(errs.ErrUnauthenticated, "the connection carries no verified client certificate")
		}
		cert := r.TLS.VerifiedChains[0][0]
		if id.User = CertificateUser(cert); id.User == "" {
			return id, errs.New(errs.ErrUnauthenticated, "the client certificate (serial %s, issued by %q) has no common name to take the user from",
				cert.SerialNumber, cert.Issuer.CommonName)
		}
		return id, nil
	}
	if id.User = r.URL.Query().Get(WebUserParam); id.User == "" {
		id.User = staticUser
	}
	if id.User == "" {
		id.User = DefaultWebUser
	}
	return id, nil
}

// HTTPHandler serves h with each request's Identity (IdentifyHTTP) in its
// context, so that handlers check permissions as they do for gRPC calls;
// a request whose identity cannot be established gets 401 and the reason.
func (a *Authenticator) HTTPHandler(staticUser string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := a.IdentifyHTTP(r, staticUser)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}
