// Package proxy is the S3 API of Alluxio in Go: an http.Handler that
// answers the Amazon S3 REST API, path style, over the namespace of a
// cluster reached through the public Go client. Top-level directories are
// buckets and the paths below them are object keys. The proxy keeps no
// state of its own: an object's ETag, content type and user metadata are
// extended attributes of its file, and a multipart upload's parts are
// files in a hidden folder of its bucket, so any number of proxies may
// serve one cluster behind a load balancer.
//
// Layout of the package: server.go routes requests; auth.go and
// chunked.go check identities and decode aws-chunked bodies;
// buckets.go, objects.go, copy.go, listing.go and multipart*.go are the
// operations; tagging.go, acl.go and versions.go the tagging, ACL and
// versioning subresources (kept as extended attributes, the owner's ACL,
// the "null" version); parts.go reads objects by part number; errors.go
// the S3 error documents; names.go the mapping of buckets and keys to
// paths.
package proxy
