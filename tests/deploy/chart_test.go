package deploy

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/alluxio-go/alluxio/internal/conf"
)

func parseProps(s string) (map[string]string, []string, error) {
	return conf.ParseProperties(strings.NewReader(s))
}

// minimal are the values of the minimal install in docs/kubernetes.md.
func minimal() map[string]any { return map[string]any{"rootUfs": "s3://bucket/alluxio"} }

func masterHost(i int) string {
	return fmt.Sprintf("%s-alluxio-master-%d.%s-alluxio-master-headless.%s.svc.cluster.local", release, i, release, namespace)
}

// The default rendering is Alluxio's shape: 3 masters in a StatefulSet
// with a volume each and the embedded journal addresses of the headless
// service, workers in a DaemonSet with a memory tier, all as a user that
// is not root, and no proxy or FUSE.
func TestChartDefaults(t *testing.T) {
	o := mustRender(t, minimal())
	props := o.siteProperties(t)
	var journals, rpcs []string
	for i := 0; i < 3; i++ {
		journals = append(journals, masterHost(i)+":19200")
		rpcs = append(rpcs, masterHost(i)+":19998")
	}
	for k, want := range map[string]string{
		"alluxio.master.journal.type":                  "EMBEDDED",
		"alluxio.master.embedded.journal.addresses":    strings.Join(journals, ","),
		"alluxio.master.rpc.addresses":                 strings.Join(rpcs, ","),
		"alluxio.master.mount.table.root.ufs":          "s3://bucket/alluxio",
		"alluxio.worker.tieredstore.level0.alias":      "MEM",
		"alluxio.worker.tieredstore.level0.dirs.quota": "1Gi",
		"alluxio.user.file.writetype.default":          "CACHE_THROUGH",
		"alluxio.master.journal.folder":                "/journal/alluxio",
		"alluxio.worker.tieredstore.level0.dirs.path":  "/dev/shm/alluxio",
		"alluxio.master.embedded.journal.port":         "19200",
		// The proxy, FUSE and the workers' web UI act for their callers.
		"alluxio.master.security.impersonation.alluxio.users": "*",
	} {
		if props[k] != want {
			t.Errorf("%s = %q, want %q", k, props[k], want)
		}
	}
	p := conf.New()
	for k, v := range props {
		p.Set(k, v)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the rendered properties do not validate: %v", err)
	}

	ss := o.statefulSets[release+"-alluxio-master"]
	if ss == nil || *ss.Spec.Replicas != 3 {
		t.Fatalf("master StatefulSet: %+v", ss)
	}
	headless := o.services[ss.Spec.ServiceName]
	if headless == nil || headless.Spec.ClusterIP != corev1.ClusterIPNone || !headless.Spec.PublishNotReadyAddresses {
		t.Fatalf("the StatefulSet's service %s is not headless and publishing not-ready masters: %+v", ss.Spec.ServiceName, headless)
	}
	if got := ss.Spec.ServiceName; fmt.Sprintf("%s-alluxio-master-0.%s.%s.svc.cluster.local", release, got, namespace) != masterHost(0) {
		t.Fatalf("the journal addresses do not name the pods of service %s", got)
	}
	if len(ss.Spec.VolumeClaimTemplates) != 1 || ss.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String() != "1Gi" {
		t.Fatalf("journal volumes: %+v", ss.Spec.VolumeClaimTemplates)
	}
	pod := ss.Spec.Template.Spec
	master := pod.Containers[0]
	if len(pod.InitContainers) != 1 || strings.Join(pod.InitContainers[0].Args, " ") != "format -s" {
		t.Fatalf("the journal is not formatted on first start: %+v", pod.InitContainers)
	}
	if env := envOf(master, "ALLUXIO_MASTER_HOSTNAME"); env != "$(POD_NAME)."+ss.Spec.ServiceName+"."+namespace+".svc.cluster.local" {
		t.Fatalf("ALLUXIO_MASTER_HOSTNAME = %q", env)
	}
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		nonRoot(t, "master "+c.Name, c)
	}

	ds := o.daemonSets[release+"-alluxio-worker"]
	if ds == nil {
		t.Fatal("no worker DaemonSet")
	}
	nonRoot(t, "worker", ds.Spec.Template.Spec.Containers[0])
	var mem *corev1.Volume
	for i, v := range ds.Spec.Template.Spec.Volumes {
		if v.Name == "tier-mem" {
			mem = &ds.Spec.Template.Spec.Volumes[i]
		}
	}
	if mem == nil || mem.EmptyDir == nil || mem.EmptyDir.Medium != corev1.StorageMediumMemory || mem.EmptyDir.SizeLimit.String() != "1Gi" {
		t.Fatalf("the memory tier is not a tmpfs of its quota: %+v", mem)
	}
	if envOf(ds.Spec.Template.Spec.Containers[0], "ALLUXIO_WORKER_HOSTNAME") == "" && !hasFieldEnv(ds.Spec.Template.Spec.Containers[0], "ALLUXIO_WORKER_HOSTNAME") {
		t.Fatal("the worker does not advertise its pod's address")
	}
	if o.daemonSets[release+"-alluxio-proxy"] != nil || o.daemonSets[release+"-alluxio-fuse"] != nil {
		t.Fatal("the proxy or FUSE is on by default")
	}
}

func envOf(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func hasFieldEnv(c corev1.Container, name string) bool {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return true
		}
	}
	return false
}

func nonRoot(t *testing.T, what string, c corev1.Container) {
	t.Helper()
	sc := c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Fatalf("%s may run as root: %+v", what, sc)
	}
}

// The proxy and FUSE come when asked for, FUSE with what a mount needs.
func TestChartOptionalProxyAndFuse(t *testing.T) {
	v := minimal()
	v["proxy"] = map[string]any{"enabled": true}
	v["fuse"] = map[string]any{"enabled": true, "mountOptions": []any{"allow_other"}}
	o := mustRender(t, v)
	proxy := o.daemonSets[release+"-alluxio-proxy"]
	if proxy == nil || proxy.Spec.Template.Spec.Containers[0].Args[0] != "proxy" || o.services[release+"-alluxio-proxy"] == nil {
		t.Fatalf("proxy: %+v", proxy)
	}
	nonRoot(t, "proxy", proxy.Spec.Template.Spec.Containers[0])
	fuse := o.daemonSets[release+"-alluxio-fuse"]
	if fuse == nil {
		t.Fatal("no FUSE DaemonSet")
	}
	c := fuse.Spec.Template.Spec.Containers[0]
	if got := strings.Join(c.Args, " "); got != "fuse mount --foreground -o allow_other /mnt/alluxio-fuse /" {
		t.Fatalf("FUSE args: %s", got)
	}
	if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
		t.Fatal("FUSE is not privileged: it cannot mount")
	}
}

// examples/zookeeper.yaml renders the UFS journal on a shared claim with
// ZooKeeper election, and no per-master journal volumes.
func TestChartZooKeeperMode(t *testing.T) {
	o := mustRender(t, readValues(t, filepath.Join(repoDir(t), "deploy", "helm", "examples", "zookeeper.yaml")))
	props := o.siteProperties(t)
	if props["alluxio.master.journal.type"] != "UFS" || props["alluxio.zookeeper.enabled"] != "true" ||
		!strings.HasPrefix(props["alluxio.zookeeper.address"], "zk-0.zk-headless") || props["alluxio.master.embedded.journal.addresses"] != "" {
		t.Fatalf("ZooKeeper mode properties: %v", props)
	}
	ss := o.statefulSets[release+"-alluxio-master"]
	if len(ss.Spec.VolumeClaimTemplates) != 0 {
		t.Fatal("per-master journal volumes with a shared journal")
	}
	shared := false
	for _, v := range ss.Spec.Template.Spec.Volumes {
		shared = shared || v.Name == "journal" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "alluxio-journal"
	}
	if !shared {
		t.Fatalf("the masters do not share the journal claim: %+v", ss.Spec.Template.Spec.Volumes)
	}
}

// Values that cannot work are refused with the reason.
func TestChartRefusesValuesThatCannotWork(t *testing.T) {
	for name, tc := range map[string]struct {
		values map[string]any
		want   string
	}{
		"no root under storage": {map[string]any{}, "rootUfs"},
		"UFS journal without ZooKeeper": {map[string]any{"rootUfs": "s3://b/", "journal": map[string]any{"type": "UFS"}},
			"zookeeper.enabled"},
		"ZooKeeper without servers": {map[string]any{"rootUfs": "s3://b/", "zookeeper": map[string]any{"enabled": true}},
			"zookeeper.addresses"},
		"UFS journal without a shared claim": {map[string]any{"rootUfs": "s3://b/", "journal": map[string]any{"type": "UFS"},
			"zookeeper": map[string]any{"enabled": true, "addresses": []any{"zk:2181"}}}, "journal.sharedClaimName"},
	} {
		if _, err := render(t, tc.values); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, tc.want)
		}
	}
}

// An impersonation rule for the service user in properties replaces the
// chart's "anyone".
func TestChartKeepsTheUsersImpersonationRule(t *testing.T) {
	for _, key := range []string{"alluxio.master.security.impersonation.alluxio.users", "alluxio.master.security.impersonation.alluxio.groups"} {
		values := minimal()
		values["properties"] = map[string]any{key: "analysts"}
		props := mustRender(t, values).siteProperties(t)
		if props[key] != "analysts" {
			t.Errorf("%s = %q, want the properties' analysts", key, props[key])
		}
		if key != "alluxio.master.security.impersonation.alluxio.users" && props["alluxio.master.security.impersonation.alluxio.users"] != "" {
			t.Errorf("with a .groups rule set, the chart still sets .users=%q", props["alluxio.master.security.impersonation.alluxio.users"])
		}
	}
}
