// Package web serves the web UIs of the master and the worker on their web
// ports: pages rendered on the server from templates embedded in the
// binary (no scripts, no external assets, so they work with JavaScript
// off and without a network), Alluxio's JSON endpoints
// (/api/v1/master/info, /api/v1/worker/info) and its Prometheus endpoint
// with Alluxio's metric names (/metrics/prometheus/).
//
// The package owns the interfaces it reads through, Master and Worker;
// the master and worker processes implement them over their own state,
// so this package imports neither.
package web
