// Package deploy tests what deploy/ ships: the Helm chart rendered with
// Helm's own engine into Kubernetes objects checked strictly, the
// configuration it renders run as a real cluster of local processes, and
// the Dockerfile parsed with BuildKit's parser (no container engine runs
// here).
package deploy
