// Package chaos is the chaos harness: concurrent clients (Client) drive a
// three-master cluster while a seeded schedule of faults (package faults)
// hits it; every operation is recorded (package history) and the history
// is checked for linearizability against a model of the namespace
// (packages model and check), every read's bytes are checked, and so are
// the cluster's healing, the under storage, and the process logs. A run
// must also prove that it exercised something: minimum counts of
// acknowledged operations, a leader change, each fault kind that applies.
//
//	make chaos DURATION=30m JOURNAL=embedded|zk SEED=n   # a soak (TestChaos in tests/e2e)
//
// CHAOS_SEED replays a run's choices (which faults, which operations; what
// they meet depends on timing). The masters run in network namespaces when
// the machine allows (root, iproute2), else on loopback without the
// cut-leader fault (under CI that is a failure); CHAOS_NETNS=0 asks for
// loopback. A failing run keeps the history (JSON and porcupine's HTML of
// the failing groups), the seed, the fault schedule and every process's
// log in one folder and prints where; look at it with check.Analyze
// (TestAnalyze in tests/chaos/check).
package chaos

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/chaos/check"
	"github.com/alluxio-go/alluxio/tests/chaos/faults"
	"github.com/alluxio-go/alluxio/tests/chaos/history"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
	"github.com/alluxio-go/alluxio/tests/testcluster"
	"github.com/alluxio-go/alluxio/tests/testcluster/cluster"
)

// Config is one run.
type Config struct {
	Journal string // cluster.JournalEmbedded or JournalZK
	// UFS is the root under storage: UFSLocal (a folder, the default) or
	// UFSS3 (a bucket of an S3 server the run starts).
	UFS      string
	Duration time.Duration // of faults
	Seed     uint64
	Clients  int    // default 4
	Binary   string // default testcluster.Binary
	// MasterEnv is added to the masters' environment.
	MasterEnv []string
	// PauseUFS runs the masters with the pause-before-ufs-change
	// failpoint (faults.PauseFailpoint), built into Binary (by default a
	// build with -tags failpoints), and adds the cut-paused-leader fault.
	PauseUFS bool
	// Faults, when set, limits the fault kinds to these names.
	Faults []string
	// CheckTimeout bounds the decisive check, FullCheckTimeout the one
	// without the settle bound (0: not run); see check.Check.
	CheckTimeout, FullCheckTimeout time.Duration
	// Min is what the run must have done to count (MustPass); zero
	// fields take DefaultMin's.
	Min Minimums
}

// Root under storages of a run.
const (
	UFSLocal = "local"
	UFSS3    = "s3"
)

// sweepEvery is alluxio.underfs.cleanup.interval in a run: short, so what
// dead writers leave is gone soon after the faults end (checkUnderStorage
// waits for it).
const sweepEvery = "2s"

// Minimums are counts a run must reach for its green to mean something.
type Minimums struct {
	Creates, Completes, Deletes, Renames, Reads int // acknowledged
	LeaderChanges                               int
}

// DefaultMin is what a run of 45 s on a busy two-core machine does several
// times over.
var DefaultMin = Minimums{Creates: 20, Completes: 20, Deletes: 10, Renames: 5, Reads: 20, LeaderChanges: 1}

// Result is what a run did and found.
type Result struct {
	Seed    uint64
	Journal string
	UFS     string
	Netns   string // "yes", or why not
	Env     faults.Env
	Ops     int
	Unknown int
	Dropped int
	Corrupt int
	// ByOp counts outcomes by operation: ByOp["del"]["ok"].
	ByOp      map[string]map[string]int
	Faults    *faults.Log
	Failovers int
	// Changes are when (since the history's start) the leader changes
	// were seen.
	Changes []faults.Change
	Verdict check.Verdict
	// History is every recorded operation.
	History []porcupine.Operation
	// Lost lists complete files the under storage lacks (or holds another
	// copy of) at the end; Extra, names only the under storage has
	// (unpublished copies and unfinished writes included); FinalReads,
	// reads after healing that failed.
	Lost, Extra, FinalReads []string
	// SweptCopies and SweptWrites count what the masters' sweeps removed
	// from the under storage: copies no file would publish, and dead
	// writers' unfinished writes (from their logs, which survive kills);
	// UFSSettle is how long the under storage check waited for it to agree
	// with the namespace.
	SweptCopies, SweptWrites int
	UFSSettle                time.Duration
	// UFSWaited is what the first look at the under storage found wrong
	// that a later one found right.
	UFSWaited []string
	FaultTime time.Duration
	HealTime  time.Duration
	Elapsed   time.Duration
	// Dir holds this run's logs and history; KeepDir is where they are
	// kept if the test fails.
	Dir, KeepDir string
	min          Minimums
}

// Seed is CHAOS_SEED, or one from the clock.
func Seed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64); err == nil {
		return s
	}
	return uint64(time.Now().UnixNano())
}

// ShortDuration is def, or CHAOS_SHORT_DURATION.
func ShortDuration(t testing.TB, def time.Duration) time.Duration {
	if s := os.Getenv("CHAOS_SHORT_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("CHAOS_SHORT_DURATION=%q: want a duration", s)
		}
		return d
	}
	return def
}

// MustPass fails the test unless the history is linearizable, every read
// after healing succeeded, the under storage holds exactly the complete
// files (with the copies the master published), and the run reached its
// minimums.
func (r *Result) MustPass(t testing.TB) {
	t.Helper()
	where := fmt.Sprintf("seed %d; kept in %s", r.Seed, r.KeepDir)
	if !r.Verdict.Linearizable() {
		t.Errorf("chaos: history is %v; %s", r.Verdict, where)
	}
	if r.Corrupt > 0 {
		t.Errorf("chaos: %d reads returned wrong bytes or failed as corrupt; %s", r.Corrupt, where)
	}
	for _, s := range r.FinalReads {
		t.Errorf("chaos: after healing: %s; %s", s, where)
	}
	for _, l := range r.Lost {
		t.Errorf("chaos: acknowledged data not in the under storage: %s; %s", l, where)
	}
	for _, l := range r.Extra {
		t.Errorf("chaos: under storage holds what the namespace lacks: %s; %s", l, where)
	}
	for _, s := range r.Shortfalls() {
		t.Errorf("chaos: the run proves too little: %s; %s", s, where)
	}
}

// Shortfalls lists what the run did less of than its minimums, and the
// applicable fault kinds it never did.
func (r *Result) Shortfalls() []string {
	var out []string
	need := func(what string, got, min int) {
		if got < min {
			out = append(out, fmt.Sprintf("%d %s, want at least %d", got, what, min))
		}
	}
	need("acknowledged creates", r.ByOp["create"]["ok"], r.min.Creates)
	need("acknowledged completes", r.ByOp["complete"]["ok"], r.min.Completes)
	need("acknowledged deletes", r.ByOp["del"]["ok"], r.min.Deletes)
	need("acknowledged renames", r.ByOp["rename"]["ok"], r.min.Renames)
	need("successful reads", r.ByOp["get"]["read"], r.min.Reads)
	need("leader changes", r.Failovers, r.min.LeaderChanges)
	for _, k := range faults.Applicable(r.Env) {
		if r.Faults == nil || r.Faults.Done[k.Name()] == 0 {
			out = append(out, fmt.Sprintf("fault %s never done", k.Name()))
		}
	}
	return out
}

// SpanningMutations counts the mutations of group g called before the
// time before (ns since the history's start) that were under way while the
// leader changed and got an answer: the operations a client retries on
// the new leader.
func (r *Result) SpanningMutations(g int, before int64) int {
	n := 0
	for _, o := range r.History {
		in, out := o.Input.(model.Input), o.Output.(model.Output)
		switch in.Op {
		case "create", "complete", "mkdir", "del", "rename":
		default:
			continue
		}
		if in.G != g || out.Unknown || o.Call >= before {
			continue
		}
		for _, c := range r.Changes {
			// Called before the successor served, answered after the
			// deposed leader was last seen serving.
			if o.Call < c.To.Nanoseconds() && c.From.Nanoseconds() < o.Return {
				n++
				break
			}
		}
	}
	return n
}

func (r *Result) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, %s journal, %s root under storage, network namespaces: %s\n", r.Seed, r.Journal, r.UFS, r.Netns)
	fmt.Fprintf(&b, "%d operations checked (%d of unknown outcome), %d failed reads left out, %d reads of wrong bytes\n",
		r.Ops, r.Unknown, r.Dropped, r.Corrupt)
	for _, op := range faults.SortedKeys(r.ByOp) {
		var parts []string
		for _, res := range faults.SortedKeys(r.ByOp[op]) {
			parts = append(parts, fmt.Sprintf("%s %d", res, r.ByOp[op][res]))
		}
		fmt.Fprintf(&b, "  %-8s %s\n", op, strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "faults: %v; leader changes seen: %d\n", r.Faults, r.Failovers)
	fmt.Fprintf(&b, "faults for %v, healed in %v, %v in all; history %v (checked in %v)\n",
		r.FaultTime.Round(time.Millisecond), r.HealTime.Round(time.Millisecond), r.Elapsed.Round(time.Second), r.Verdict, r.Verdict.Took.Round(time.Millisecond))
	agreed := "it agreed with the namespace after"
	if len(r.Lost)+len(r.Extra) > 0 {
		agreed = "it still disagreed with the namespace after"
	}
	fmt.Fprintf(&b, "under storage: the sweeps removed %d unpublished copies and %d unfinished writes; %s %v\n",
		r.SweptCopies, r.SweptWrites, agreed, r.UFSSettle.Round(time.Millisecond))
	for _, s := range r.UFSWaited {
		fmt.Fprintf(&b, "under storage, at first (then right): %s\n", s)
	}
	for _, s := range r.FinalReads {
		fmt.Fprintf(&b, "after healing: %s\n", s)
	}
	for _, s := range r.Lost {
		fmt.Fprintf(&b, "under storage: LOST: %s\n", s)
	}
	for _, s := range r.Extra {
		fmt.Fprintf(&b, "under storage: %s\n", s)
	}
	return b.String()
}

// Run runs one chaos run and returns what it found. It fails the test
// itself for what no run may do (a cluster that does not heal, a panic);
// whether the history must pass is the caller's call (MustPass).
func Run(t *testing.T, cfg Config) *Result {
	t.Helper()
	if cfg.Clients == 0 {
		cfg.Clients = 4
	}
	switch {
	case cfg.Binary != "":
	case cfg.PauseUFS:
		cfg.Binary = testcluster.BinaryWithTags(t, "failpoints")
	default:
		cfg.Binary = testcluster.Binary(t)
	}
	if cfg.PauseUFS {
		cfg.MasterEnv = withFailpoint(cfg.MasterEnv, faults.PauseFailpoint())
	}
	if cfg.UFS == "" {
		cfg.UFS = UFSLocal
	}
	m := cfg.Min
	if m == (Minimums{}) {
		m = DefaultMin
	}
	began := time.Now()
	res := &Result{Seed: cfg.Seed, Journal: cfg.Journal, UFS: cfg.UFS, Dir: testcluster.LogDir(t), ByOp: map[string]map[string]int{}, min: m}
	t.Logf("chaos: seed %d (replay with CHAOS_SEED=%d), %s journal, %s root under storage, faults for %v", cfg.Seed, cfg.Seed,
		cfg.Journal, cfg.UFS, cfg.Duration)
	writeFile(t, filepath.Join(res.Dir, "seed.txt"), []byte(fmt.Sprintf("%d\nreplay: CHAOS_SEED=%d, %s journal, %s root under storage, faults for %v (%s)\n",
		cfg.Seed, cfg.Seed, cfg.Journal, cfg.UFS, cfg.Duration, t.Name())))
	var rec *history.Recorder
	scanned := false
	res.KeepDir = keep(t, res, &rec, &scanned)

	net := cluster.NetIfAvailable
	if os.Getenv("CHAOS_NETNS") == "0" {
		net = cluster.NetNever
	}
	opts := []cluster.Option{cluster.WithJournal(cfg.Journal), cluster.WithWorkers(2, "256MB"),
		cluster.WithBinary(cfg.Binary), cluster.WithEnv(cfg.MasterEnv...), cluster.WithNet(net),
		// Snapshots often, so a wiped standby catches up from one.
		cluster.WithCheckpointEntries(map[string]int{cluster.JournalZK: 100, cluster.JournalEmbedded: 200}[cfg.Journal]),
		cluster.WithDefines("-Dalluxio.underfs.cleanup.interval="+sweepEvery,
			// Uploads a dead writer left are judged by the namespace soon.
			"-Dalluxio.underfs.s3.intermediate.upload.clean.age="+sweepEvery)}
	switch cfg.UFS {
	case UFSLocal:
	case UFSS3:
		opts = append(opts, cluster.WithS3Root())
	default:
		t.Fatalf("chaos: no root under storage %q (want %s or %s)", cfg.UFS, UFSLocal, UFSS3)
	}
	c := cluster.NewHA(t, opts...)
	if c.Net == nil && net != cluster.NetNever && testcluster.InCI() {
		// Without namespaces there is no cut-leader fault: under CI a run
		// must not quietly do without it.
		t.Fatalf("chaos: CI is set and %s (CHAOS_NETNS=0 runs without the cut-leader fault on purpose)", c.NoNet)
	}
	res.Env = faults.Env{Journal: cfg.Journal, Net: c.Net != nil, S3: c.S3 != nil, PauseUFS: cfg.PauseUFS, Only: cfg.Faults}
	res.Netns = "yes"
	if c.Net == nil {
		res.Netns = "no (" + c.NoNet + ")"
		t.Logf("chaos: %s; no cut-leader faults", c.NoNet)
	}
	plan := faults.Plan(cfg.Seed, res.Env, cfg.Duration)
	var sched strings.Builder
	for i, f := range plan {
		fmt.Fprintf(&sched, "%d %v\n", i+1, f)
	}
	writeFile(t, filepath.Join(res.Dir, "schedule.txt"), []byte(sched.String()))
	t.Logf("chaos: %d faults planned (%s)", len(plan), filepath.Join(res.Dir, "schedule.txt"))

	epochs := max(1, int((cfg.Duration+model.Epoch-1)/model.Epoch))
	dirs := checkedDirs(epochs, cfg.PauseUFS)
	setup(t, c.Client(60*time.Second), dirs)
	rec = history.NewRecorder()
	var workers []*worker
	for i := 0; i < cfg.Clients; i++ {
		fs := c.ClientWith(clientConfig(15 * time.Second))
		workers = append(workers, &worker{c: NewGoClient(fs), id: i, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), rec: rec, epochs: epochs})
	}
	finalFS := c.ClientWith(clientConfig(60 * time.Second))
	final := &worker{c: NewGoClient(finalFS), id: cfg.Clients, rec: rec, epochs: epochs}
	watch := faults.WatchLeader(c, rec.Start)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(stop, 1_000_000)
		}()
	}
	var stopOnce sync.Once
	stopClients := func() {
		stopOnce.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
	// A failure that ends the test early must stop the clients too, while
	// the cluster still runs (its cleanups come later).
	t.Cleanup(func() {
		stopClients()
		watch.Finish()
	})
	res.Faults = faults.Run(t, c, res.Env, plan, rec.Start.Add(cfg.Duration), rec.Start)
	res.FaultTime = time.Since(rec.Start)
	stopClients()

	healStart := time.Now()
	c.Heal()
	res.HealTime = time.Since(healStart)
	changes, leaders := watch.Finish()
	res.Failovers, res.Changes = len(changes), changes
	res.FinalReads = final.finalReads()
	var view ufsView = folderView{c.UFS()}
	if c.S3 != nil {
		view = newS3View(c.S3, c.S3Bucket, c.S3Prefix)
	}
	settle := time.Now()
	res.Lost, res.Extra, res.UFSWaited = checkUnderStorage(finalFS, view, dirs)
	res.UFSSettle = time.Since(settle)

	c.StopAll()
	reportLogs(t, res.Dir)
	res.SweptCopies, res.SweptWrites = sweptFromLogs(t, res.Dir)
	scanned = true

	ops, dropped := rec.History()
	res.History = ops
	res.Ops, res.Dropped, res.Corrupt = len(ops), len(dropped), rec.Corrupt()
	for _, o := range ops {
		in, out := o.Input.(model.Input), o.Output.(model.Output)
		outcome := out.Result
		switch {
		case out.Unknown:
			outcome = "unknown"
			res.Unknown++
		case in.Op == "get" && strings.HasPrefix(outcome, "="):
			outcome = "read"
		case in.Op == "stat" && strings.HasPrefix(outcome, "len="):
			outcome = "file"
		case in.Op == "list" && !strings.HasPrefix(outcome, "error:"):
			outcome = "listed"
		}
		if res.ByOp[in.Op] == nil {
			res.ByOp[in.Op] = map[string]int{}
		}
		res.ByOp[in.Op][outcome]++
	}
	res.Verdict = check.Check(ops, cfg.CheckTimeout, cfg.FullCheckTimeout)
	if !res.Verdict.Linearizable() || os.Getenv(testcluster.KeepLogsEnv) != "" {
		// Else only if the test fails (keep): a long run's history is
		// hundreds of MB.
		save(t, res.Dir, ops, dropped)
	}
	if !res.Verdict.Linearizable() {
		if err := check.Visualize(res.Dir, ops, res.Verdict.Failing, cfg.CheckTimeout); err != nil {
			t.Logf("chaos: %v", err)
		}
	}
	res.Elapsed = time.Since(began)
	var timeline strings.Builder
	timeline.WriteString(res.summary())
	timeline.WriteString("\nfaults:\n" + strings.Join(res.Faults.Lines, "\n") + "\n\nleaders:\n" + strings.Join(leaders, "\n") + "\n")
	timeline.WriteString("\nnotes:\n" + strings.Join(rec.Notes(), "\n") + "\n")
	writeFile(t, filepath.Join(res.Dir, "summary.txt"), []byte(timeline.String()))
	for _, line := range strings.Split(strings.TrimSpace(res.summary()), "\n") {
		t.Logf("chaos: %s", line)
	}
	return res
}

// withFailpoint adds item to the ALLUXIO_FAILPOINTS of env (a list of
// NAME=VALUE), or sets it.
func withFailpoint(env []string, item string) []string {
	out := slices.Clone(env)
	for i, e := range out {
		if v, ok := strings.CutPrefix(e, "ALLUXIO_FAILPOINTS="); ok {
			out[i] = "ALLUXIO_FAILPOINTS=" + v + "," + item
			return out
		}
	}
	return append(out, "ALLUXIO_FAILPOINTS="+item)
}
