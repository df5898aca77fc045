package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// repoDir is the repository's root, found from this file.
func repoDir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func chartDir(t testing.TB) string { return filepath.Join(repoDir(t), "deploy", "helm", "alluxio") }

const (
	release   = "demo"
	namespace = "data"
)

// objects are a rendering's Kubernetes objects, decoded strictly.
type objects struct {
	configMaps   map[string]*corev1.ConfigMap
	services     map[string]*corev1.Service
	statefulSets map[string]*appsv1.StatefulSet
	daemonSets   map[string]*appsv1.DaemonSet
}

// render renders the chart as `helm template` would, with values over
// the chart's own, and returns the manifests by template.
func render(t testing.TB, values map[string]any) (map[string]string, error) {
	t.Helper()
	ch, err := loader.Load(chartDir(t))
	if err != nil {
		t.Fatal(err)
	}
	vals, err := util.ToRenderValues(ch, values, common.ReleaseOptions{Name: release, Namespace: namespace, IsInstall: true}, nil)
	if err != nil {
		return nil, err
	}
	return engine.Render(ch, vals)
}

// mustRender renders and decodes every object: unknown fields, wrong
// types and unknown kinds fail the test, as the API server would refuse
// them.
func mustRender(t testing.TB, values map[string]any) *objects {
	t.Helper()
	out, err := render(t, values)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	o := &objects{configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{},
		statefulSets: map[string]*appsv1.StatefulSet{}, daemonSets: map[string]*appsv1.DaemonSet{}}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for i, doc := range strings.Split(out[name], "\n---") {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			if err := o.decode([]byte(doc)); err != nil {
				t.Fatalf("%s, document %d: %v\n%s", name, i, err, doc)
			}
		}
	}
	o.checkReferences(t)
	return o
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func (o *objects) decode(doc []byte) error {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return err
	}
	strict := func(v any) error { return yaml.UnmarshalStrict(doc, v) }
	switch meta.APIVersion + " " + meta.Kind {
	case "v1 ConfigMap":
		var v corev1.ConfigMap
		if err := strict(&v); err != nil {
			return err
		}
		o.configMaps[v.Name] = &v
	case "v1 Service":
		var v corev1.Service
		if err := strict(&v); err != nil {
			return err
		}
		o.services[v.Name] = &v
	case "apps/v1 StatefulSet":
		var v appsv1.StatefulSet
		if err := strict(&v); err != nil {
			return err
		}
		o.statefulSets[v.Name] = &v
	case "apps/v1 DaemonSet":
		var v appsv1.DaemonSet
		if err := strict(&v); err != nil {
			return err
		}
		o.daemonSets[v.Name] = &v
	default:
		return fmt.Errorf("unexpected object %s %s", meta.APIVersion, meta.Kind)
	}
	return nil
}

// checkReferences checks what strict decoding cannot: names each object
// refers to exist (volumes, config maps, named ports), selectors match
// their pods, and services select some pods.
func (o *objects) checkReferences(t testing.TB) {
	t.Helper()
	var pods []map[string]string
	check := func(kind, name string, sel map[string]string, pod *corev1.PodTemplateSpec, claims []corev1.PersistentVolumeClaim) {
		if !subset(sel, pod.Labels) || len(sel) == 0 {
			t.Errorf("%s %s: selector %v does not match its pods %v", kind, name, sel, pod.Labels)
		}
		pods = append(pods, pod.Labels)
		vols := map[string]bool{}
		for _, v := range pod.Spec.Volumes {
			vols[v.Name] = true
			if v.ConfigMap != nil && o.configMaps[v.ConfigMap.Name] == nil {
				t.Errorf("%s %s: volume %s uses config map %s, which the chart does not make", kind, name, v.Name, v.ConfigMap.Name)
			}
		}
		for _, c := range claims {
			vols[c.Name] = true
		}
		for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
			ports := map[string]bool{}
			for _, p := range c.Ports {
				ports[p.Name] = true
			}
			for _, m := range c.VolumeMounts {
				if !vols[m.Name] {
					t.Errorf("%s %s container %s mounts volume %s, which does not exist", kind, name, c.Name, m.Name)
				}
			}
			for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
				if pr != nil && pr.HTTPGet != nil && pr.HTTPGet.Port.StrVal != "" && !ports[pr.HTTPGet.Port.StrVal] {
					t.Errorf("%s %s container %s probes port %s, which it does not name", kind, name, c.Name, pr.HTTPGet.Port.StrVal)
				}
			}
		}
	}
	for n, s := range o.statefulSets {
		check("StatefulSet", n, s.Spec.Selector.MatchLabels, &s.Spec.Template, s.Spec.VolumeClaimTemplates)
	}
	for n, d := range o.daemonSets {
		check("DaemonSet", n, d.Spec.Selector.MatchLabels, &d.Spec.Template, nil)
	}
	for n, s := range o.services {
		found := false
		for _, p := range pods {
			found = found || subset(s.Spec.Selector, p)
		}
		if !found {
			t.Errorf("service %s selects no pods (%v)", n, s.Spec.Selector)
		}
	}
}

func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// siteProperties parses the rendered alluxio-site.properties.
func (o *objects) siteProperties(t testing.TB) map[string]string {
	t.Helper()
	cm := o.configMaps[release+"-alluxio-config"]
	if cm == nil {
		t.Fatalf("no config map %s-alluxio-config", release)
	}
	props, _, err := parseProps(cm.Data["alluxio-site.properties"])
	if err != nil {
		t.Fatalf("alluxio-site.properties: %v", err)
	}
	return props
}

// readValues reads a values file as Helm's -f does.
func readValues(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(bytes.TrimSpace(b), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
