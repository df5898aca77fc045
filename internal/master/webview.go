package master

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/buildinfo"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security/authz"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/web"
)

// webView is what the web UI reads (web.Master), over this master's
// state. The namespace, workers and mounts come from the leader only: a
// standby's pages say so and link to it.
type webView struct {
	s *Server

	// reader reads file contents for Browse's "first/last KiB" through a
	// client of this cluster, made on first use.
	readerMu sync.Mutex
	reader   *client.FileSystem
}

func (v *webView) Info(ctx context.Context) (*web.MasterInfo, error) {
	s := v.s
	ji := s.jr.Info()
	now := s.now()
	files, dirs := s.st.Counts()
	info := &web.MasterInfo{
		ClusterID: s.st.ClusterID(), RPCAddress: s.cfg.RPCAddress(), Role: "STANDBY", Leader: s.leaderHint(),
		JournalType: ji.Type, Version: buildinfo.Version, StartTime: s.started, StartTimeMs: s.started.UnixMilli(),
		UptimeMs: now.Sub(s.started).Milliseconds(), Files: files, Directories: dirs,
	}
	if s.primary.Load() {
		info.Role = "PRIMARY"
	}
	statuses := (&metaService{s: s}).allStatuses(ctx, s.masterAddresses())
	var leaderSeq uint64
	for _, st := range statuses {
		if st.Address == info.Leader {
			leaderSeq = st.LastAppliedSequence
		}
	}
	for _, st := range statuses {
		ms := web.MasterStatus{Address: st.Address, Role: st.Role, LastApplied: st.LastAppliedSequence, Lag: -1}
		if st.WebPort > 0 {
			ms.WebAddress = webAddress(st.Address, st.WebPort)
		}
		if st.Role != "UNAVAILABLE" && leaderSeq > 0 {
			ms.Lag = int64(leaderSeq) - int64(st.LastAppliedSequence)
			ms.Lag = max(ms.Lag, 0)
		}
		if st.Address == info.Leader {
			info.LeaderWeb = ms.WebAddress
		}
		info.Masters = append(info.Masters, ms)
	}
	if info.Role != "PRIMARY" {
		return info, nil
	}
	info.Cluster = true
	tiers := map[string]*web.TierUsage{}
	for _, w := range v.workers() {
		if w.State != "LIVE" {
			info.LostWorkers++
			continue
		}
		info.LiveWorkers++
		info.Workers = append(info.Workers, w)
		for _, t := range w.Tiers {
			if tiers[t.Alias] == nil {
				tiers[t.Alias] = &web.TierUsage{Alias: t.Alias}
			}
			tiers[t.Alias].Total += t.Total
			tiers[t.Alias].Used += t.Used
		}
		info.Capacity.Total += w.Capacity.Total
		info.Capacity.Used += w.Capacity.Used
	}
	aliases := make([]string, 0, len(tiers))
	for a := range tiers {
		aliases = append(aliases, a)
	}
	web.SortTiers(aliases)
	for _, alias := range aliases {
		info.TierCapacity = append(info.TierCapacity, *tiers[alias])
	}
	return info, nil
}

func (v *webView) Leader(ctx context.Context) (bool, string, string) {
	s := v.s
	if s.primary.Load() {
		return true, s.cfg.RPCAddress(), webAddress(s.cfg.RPCAddress(), int32(s.cfg.WebPort))
	}
	leader := s.leaderHint()
	if leader == "" {
		return false, "", ""
	}
	st := (&metaService{s: s}).allStatuses(ctx, []string{leader})
	if len(st) == 1 && st[0].WebPort > 0 {
		return false, leader, webAddress(leader, st[0].WebPort)
	}
	return false, leader, ""
}

// webAddress is the web UI of the master at rpc address addr.
func webAddress(addr string, port int32) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// List serves Browse from the leader's state: the same metadata loads
// and permission checks as a listing (a status, for a file) by RPC, then
// one page of the directory; audited as those RPCs are.
func (v *webView) List(ctx context.Context, path, after string, limit int) (l *web.Listing, err error) {
	s := v.s
	if err := v.checkPrimary(ctx); err != nil {
		return nil, err
	}
	cmd := "getFileInfo"
	defer v.audit(ctx, &cmd, path, s.now(), &err)
	if err := s.fs.syncForRead(ctx, path, nil, true, false); err != nil {
		return nil, err
	}
	// As by RPC, a caller who may not reach path learns that, not
	// whether it exists.
	self, statErr := s.st.Stat(path)
	if statErr == nil && self.IsDir {
		cmd = "listStatus"
	}
	if err := s.fs.authorizeRead(s.fs.az.caller(ctx), path, true, false); err != nil {
		return nil, err
	}
	if statErr != nil {
		return nil, statErr
	}
	l = &web.Listing{Self: s.fs.info(path, self)}
	if !self.IsDir {
		return l, nil
	}
	page, more, err := s.st.ListPage(path, after, limit)
	if err != nil {
		return nil, err
	}
	for _, e := range page {
		l.Entries = append(l.Entries, s.fs.info(e.Path, e.Inode))
	}
	if more && len(page) > 0 {
		l.Next = page[len(page)-1].Inode.Name
	}
	return l, nil
}

// audit records a web request for the namespace as the audit log records
// the RPC of the same name, when the log is on.
func (v *webView) audit(ctx context.Context, cmd *string, path string, start time.Time, err *error) {
	if v.s.auditLog != nil {
		v.s.audit(ctx, *cmd, start, &pb.GetStatusRequest{Path: path}, nil, *err)
	}
}

func (v *webView) checkPrimary(ctx context.Context) error {
	if !v.s.primary.Load() {
		return errs.New(errs.ErrNotPrimary, "this master is a standby")
	}
	return v.s.jr.CheckPrimary(ctx)
}

// ReadFile reads through a client of this cluster as the superuser, once
// the permission checks allowed ctx's user to read the file as an open by
// RPC would (audited as the status an open asks for).
func (v *webView) ReadFile(ctx context.Context, path string, off int64, n int, fromEnd bool) (_ []byte, err error) {
	if err := v.checkPrimary(ctx); err != nil {
		return nil, err
	}
	cmd := "getFileInfo"
	defer v.audit(ctx, &cmd, path, v.s.now(), &err)
	fs := v.s.fs
	if err := fs.authorize(fs.az.caller(ctx), need{path: path, self: authz.Read}); err != nil {
		return nil, err
	}
	c, err := v.client()
	if err != nil {
		return nil, err
	}
	// NO_CACHE: looking at a file must not fill the cache with it.
	r, err := c.OpenFile(ctx, path, client.OpenOptions{ReadType: "NO_CACHE"})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	length := r.Info().Length
	if fromEnd {
		off = max(length-int64(n), 0)
	}
	buf := make([]byte, max(min(int64(n), length-off), 0))
	got, err := r.ReadAt(buf, off)
	if err != nil && got < len(buf) {
		return nil, err
	}
	return buf[:got], nil
}

// client is a client of this cluster for file contents, as the master's
// superuser; reads go to workers, or to the under storage through them.
func (v *webView) client() (*client.FileSystem, error) {
	v.readerMu.Lock()
	defer v.readerMu.Unlock()
	if v.reader != nil {
		return v.reader, nil
	}
	c, err := client.New(client.Config{Masters: v.s.masterAddresses(), User: v.s.cfg.SuperUser, TLS: v.s.cfg.Security.ClientTLS(),
		RetryMaxDuration: 10 * time.Second, RPCTimeout: 10 * time.Second, DataTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	v.reader = c
	return c, nil
}

func (v *webView) close() {
	v.readerMu.Lock()
	defer v.readerMu.Unlock()
	if v.reader != nil {
		v.reader.Close()
		v.reader = nil
	}
}

func (v *webView) Workers(ctx context.Context) ([]*web.WorkerInfo, error) {
	if err := v.checkPrimary(ctx); err != nil {
		return nil, err
	}
	return v.workers(), nil
}

func (v *webView) workers() []*web.WorkerInfo {
	var out []*web.WorkerInfo
	for _, w := range v.s.blocks.workerInfos() {
		wi := &web.WorkerInfo{ID: w.Id, Address: hostPort(w.Address.GetHost(), w.Address.GetRpcPort()), State: w.State,
			LastContact: time.UnixMilli(w.LastContactMs), Started: time.UnixMilli(w.StartTimeMs),
			Capacity: web.Usage{Total: w.CapacityBytes, Used: w.UsedBytes}, Blocks: w.BlockCount}
		if p := w.Address.GetWebPort(); p > 0 {
			wi.WebAddress = hostPort(w.Address.GetHost(), p)
		}
		for _, t := range w.Tiers {
			wi.Tiers = append(wi.Tiers, web.TierUsage{Alias: t.Alias, Usage: web.Usage{Total: t.CapacityBytes, Used: t.UsedBytes}, Dirs: t.Dirs})
		}
		out = append(out, wi)
	}
	return out
}

func hostPort(host string, port int32) string { return net.JoinHostPort(host, strconv.Itoa(int(port))) }

func (v *webView) Mounts(ctx context.Context) ([]web.MountInfo, error) {
	if err := v.checkPrimary(ctx); err != nil {
		return nil, err
	}
	st := v.s.st
	pending := st.PendingByMount()
	modes := st.UfsModes()
	var out []web.MountInfo
	for _, m := range st.MountTable() {
		mi := web.MountInfo{AlluxioPath: m.AlluxioPath, UfsURI: m.UfsURI, ReadOnly: m.ReadOnly, Shared: m.Shared,
			Pending: int64(pending[m.ID]), Options: underfs.MaskSecrets(m.Properties)}
		if root, err := rootOf(m.UfsURI); err == nil {
			if mode, ok := modes[root]; ok {
				mi.Mode = ufsModeName(mode)
			}
		}
		out = append(out, mi)
	}
	return out, nil
}

func (v *webView) Config() []web.Property { return web.PropertiesOf(v.s.cfg.Properties) }

func (v *webView) Metrics(ctx context.Context) ([]web.Metric, error) {
	return v.s.alluxioMetrics(), nil
}

func (v *webView) LogFile() string {
	if v.s.cfg.LogDir == "" || v.s.cfg.LogName == "" {
		return ""
	}
	return filepath.Join(v.s.cfg.LogDir, v.s.cfg.LogName+".log")
}
