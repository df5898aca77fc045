package web

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// PrometheusName turns an Alluxio metric name into a legal Prometheus
// one, as Alluxio's Prometheus sink does: Master.FilesCreated becomes
// Master_FilesCreated; any other character outside [a-zA-Z0-9_:] becomes _.
func PrometheusName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

// WritePrometheus writes ms in Prometheus's text format (version 0.0.4),
// one family per name, with its TYPE line.
func WritePrometheus(w http.ResponseWriter, ms []Metric) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	writePrometheus(w, ms)
}

func writePrometheus(w io.Writer, ms []Metric) {
	sorted := append([]Metric(nil), ms...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	last := ""
	for _, m := range sorted {
		name := PrometheusName(m.Name)
		if name != last {
			typ := "gauge"
			if m.Type == "COUNTER" {
				typ = "counter"
			}
			fmt.Fprintf(w, "# TYPE %s %s\n", name, typ)
			last = name
		}
		fmt.Fprintf(w, "%s%s %s\n", name, promLabels(m.Labels), strconv.FormatFloat(m.Value, 'g', -1, 64))
	}
}

func promLabels(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(l[k])
		parts[i] = PrometheusName(k) + `="` + v + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}
