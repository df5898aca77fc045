package worker

import (
	"context"
	"path/filepath"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/buildinfo"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/web"
)

// webView is what the worker's web UI reads (web.Worker).
type webView struct{ s *Server }

func (v webView) Status(ctx context.Context) (*web.WorkerStatus, error) {
	s := v.s
	if s.store == nil {
		return nil, errs.New(errs.ErrUnavailable, "the worker is starting")
	}
	st := &web.WorkerStatus{Address: s.cfg.Address(), ID: s.id.get(), Version: buildinfo.Version, StartTime: s.started,
		StartTimeMs: s.started.UnixMilli(), UptimeMs: time.Since(s.started).Milliseconds(), Blocks: len(s.store.Blocks()),
		Masters: s.cfg.Masters}
	dirs := map[string][]string{}
	for _, t := range s.cfg.Tiers {
		for _, d := range t.Dirs {
			dirs[t.Alias] = append(dirs[t.Alias], d.Path)
		}
	}
	for _, t := range s.store.Capacity() {
		st.Tiers = append(st.Tiers, web.TierUsage{Alias: t.Alias, Usage: web.Usage{Total: t.Capacity, Used: t.Used}, Dirs: dirs[t.Alias]})
		st.Capacity.Total += t.Capacity
		st.Capacity.Used += t.Used
	}
	return st, nil
}

func (v webView) Blocks() []web.CachedBlock {
	if v.s.store == nil {
		return nil
	}
	var out []web.CachedBlock
	for _, b := range v.s.store.Blocks() {
		out = append(out, web.CachedBlock{ID: b.ID, FileID: blockid.FileID(b.ID), Length: b.Length, Tier: b.Tier})
	}
	return out
}

// File asks the master for the file as the web request's user (the
// worker impersonating it), so that the master's permission and
// impersonation checks decide what the page may show, as for the user's
// own calls.
func (v webView) File(ctx context.Context, path string) (*web.FileRef, error) {
	if id, ok := security.FromContext(ctx); ok && id.Authenticated() && v.s.cfg.PermissionEnabled {
		ctx = client.WithUser(ctx, id.User)
	}
	fi, err := v.s.master.GetStatus(ctx, path, client.StatusOptions{})
	if err != nil {
		return nil, err
	}
	return &web.FileRef{Length: fi.Length, BlockSize: fi.BlockSize, BlockIDs: fi.BlockIDs}, nil
}

func (v webView) Metrics() []web.Metric {
	s := v.s
	var out []web.Metric
	for name, val := range s.metrics.alluxio(s) {
		typ := "COUNTER"
		if name == "Worker.BlocksCached" {
			typ = "GAUGE"
		}
		out = append(out, web.Metric{Name: name, Type: typ, Value: val})
	}
	if s.store != nil {
		var total, used int64
		for _, t := range s.store.Capacity() {
			total, used = total+t.Capacity, used+t.Used
		}
		out = append(out, web.Metric{Name: "Worker.CapacityTotal", Type: "GAUGE", Value: float64(total)},
			web.Metric{Name: "Worker.CapacityUsed", Type: "GAUGE", Value: float64(used)},
			web.Metric{Name: "Worker.CapacityFree", Type: "GAUGE", Value: float64(total - used)})
	}
	return out
}

func (v webView) Config() []web.Property { return web.PropertiesOf(v.s.cfg.Properties) }

func (v webView) LogFile() string {
	if v.s.cfg.LogDir == "" || v.s.cfg.LogName == "" {
		return ""
	}
	return filepath.Join(v.s.cfg.LogDir, v.s.cfg.LogName+".log")
}
