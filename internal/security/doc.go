// Package security establishes who a request comes from, the one answer
// every server (master, worker, proxy) and every check downstream of it
// (permissions, the audit log, block capabilities) works from.
//
// The seam is Identity: a server's interceptors (Authenticator) build it
// for each call from the authentication type, the transport (a client
// certificate under mutual TLS) and the caller's headers, check an
// impersonation claim, and put it in the call's context; handlers read it
// with FromContext. A context without one is the server's own work
// (background jobs, the journal), never a client's call.
//
// Authentication types, as in Alluxio:
//
//   - NOSASL: nobody is anyone. Identity.User is empty for every call,
//     new files get no owner, and permission checks are off (Alluxio
//     checks permissions only when authentication is on).
//   - SIMPLE (the default): the client says who it is (its login user,
//     alluxio.security.login.username or the OS user) and the server
//     believes it. A call that names nobody is refused.
//   - TLS: with alluxio.network.tls.enabled every port speaks mutual TLS
//     and the user is the common name of the client's certificate; a user
//     header is ignored, so nobody can claim another name. This takes the
//     place of Alluxio's CUSTOM type.
//
// Impersonation: a service acting for its users (FUSE, the S3 proxy, a
// Spark driver) logs in as itself and names, per call, the user it acts
// for. The master allows it only where
// alluxio.master.security.impersonation.<service user>.users or .groups
// say so (Impersonation); the Identity then carries the user acted for as
// User and the service as Impersonator.
package security
