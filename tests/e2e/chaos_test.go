package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// The chaos tests drive concurrent clients against three masters and two
// workers while a seeded schedule of faults hits them, record every
// operation with its timing and outcome, and check the history for
// linearizability (porcupine, with the model in chaos_model_test.go), every
// read's bytes, that the cluster heals, and that no process panicked.
//
//	make chaos DURATION=30m JOURNAL=embedded|zk SEED=n   # a long soak: TestChaos
//	go test -run 'TestChaosShort' ./tests/e2e/           # ~45s of faults per journal
//
// CHAOS_SEED replays a run's choices (which faults, which operations; what
// they meet depends on timing). The masters run in network namespaces when
// the machine allows (root, iproute2), else on loopback without the
// cut-leader fault; CHAOS_NETNS=0 asks for loopback. A failing run keeps
// the history (JSON and porcupine's HTML of the failing groups), the seed,
// the fault schedule and every process's log in one folder and prints
// where; look at it with TestChaosAnalyze.

// TestChaos is the long soak; it runs only when CHAOS_DURATION is set:
//
//	CHAOS_DURATION=30m CHAOS_JOURNAL=embedded|zk CHAOS_SEED=42 go test -run 'TestChaos$' -timeout 120m ./tests/e2e/
func TestChaos(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CHAOS_DURATION"))
	if err != nil || d <= 0 {
		t.Skip("set CHAOS_DURATION (e.g. 30m) to run the chaos soak")
	}
	journal := os.Getenv("CHAOS_JOURNAL")
	if journal == "" {
		journal = "embedded"
	}
	res := runChaos(t, chaosConfig{Journal: journal, Duration: d, Seed: chaosSeed(),
		CheckTimeout: 10 * time.Minute, FullCheckTimeout: 5 * time.Minute})
	res.mustPass(t)
}

// The short runs are part of the ordinary e2e suite. They do not run in
// parallel with the other tests: on a two-core machine a cluster under
// faults next to another test's cluster turns their deadlines into coin
// flips, and the tests marked parallel wait until these are done.

func TestChaosShortEmbedded(t *testing.T) { chaosShort(t, "embedded") }

func TestChaosShortZK(t *testing.T) { chaosShort(t, "zk") }

func chaosShort(t *testing.T, journal string) {
	if testing.Short() {
		t.Skip("chaos runs take a minute each")
	}
	res := runChaos(t, chaosConfig{Journal: journal, Duration: chaosShortDuration(t, 45*time.Second), Seed: chaosSeed(),
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 30 * time.Second})
	res.mustPass(t)
}

// mustPass fails the test unless the history is linearizable and the
// under storage holds every complete file.
func (r *chaosResult) mustPass(t *testing.T) {
	t.Helper()
	if !r.Verdict.Linearizable() {
		t.Errorf("chaos: history is %v; seed %d; kept in %s", r.Verdict, r.Seed, r.KeepDir)
	}
	for _, l := range r.Lost {
		t.Errorf("chaos: acknowledged data not in the under storage: %s; seed %d; kept in %s", l, r.Seed, r.KeepDir)
	}
}

// TestChaosCatchesPlantedBug runs the harness against masters built with
// failpoints and told to acknowledge a delete before the journal commits
// it: the history must come out not linearizable, or a green chaos run
// means nothing.
func TestChaosCatchesPlantedBug(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary and runs a cluster under faults")
	}
	bin := testcluster.BinaryWithTags(t, "failpoints")
	res := runChaos(t, chaosConfig{Journal: "embedded", Duration: chaosShortDuration(t, 25*time.Second), Seed: chaosSeed(),
		Binary: bin, MasterEnv: []string{"ALLUXIO_FAILPOINTS=ack-delete-before-commit"},
		CheckTimeout: 2 * time.Minute, FullCheckTimeout: 20 * time.Second})
	switch {
	case res.Verdict.Bounded == porcupine.Illegal:
		t.Logf("chaos: the planted bug was caught: %v", res.Verdict)
	case res.Verdict.Linearizable():
		t.Errorf("chaos: masters that acknowledge deletes before committing them gave a linearizable history "+
			"(%d operations, %d deletes acknowledged; is the failpoint built in?); seed %d; kept in %s",
			res.Ops, res.ByOp["del"]["ok"], res.Seed, res.KeepDir)
	default:
		t.Errorf("chaos: the check did not decide: %v; seed %d; kept in %s", res.Verdict, res.Seed, res.KeepDir)
	}
}

func chaosSeed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64); err == nil {
		return s
	}
	return uint64(time.Now().UnixNano())
}

// chaosShortDuration is def, or CHAOS_SHORT_DURATION.
func chaosShortDuration(t *testing.T, def time.Duration) time.Duration {
	if s := os.Getenv("CHAOS_SHORT_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("CHAOS_SHORT_DURATION=%q: want a duration", s)
		}
		return d
	}
	return def
}

type chaosConfig struct {
	Journal  string        // embedded or zk
	Duration time.Duration // of faults
	Seed     uint64
	Clients  int    // default 4
	Binary   string // default testcluster.Binary
	// MasterEnv is added to the masters' environment.
	MasterEnv []string
	// CheckTimeout bounds the decisive check, FullCheckTimeout the one
	// without the settle bound (0: not run); see chaosCheck.
	CheckTimeout, FullCheckTimeout time.Duration
}

// chaosResult is what a run did and found.
type chaosResult struct {
	Seed    uint64
	Journal string
	Netns   string // "yes", or why not
	Ops     int
	Unknown int
	Dropped int
	Corrupt int
	// ByOp counts outcomes by operation: ByOp["del"]["ok"].
	ByOp      map[string]map[string]int
	Faults    *chaosFaultLog
	Failovers int
	Verdict   chaosVerdict
	// Lost lists complete files the under storage lacks (or holds other
	// bytes for) at the end; Extra, names only the under storage has.
	Lost, Extra []string
	FaultTime   time.Duration
	HealTime    time.Duration
	Elapsed     time.Duration
	// Dir holds this run's logs and history; KeepDir is where they are
	// kept if the test fails.
	Dir, KeepDir string
}

func (r *chaosResult) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, %s journal, network namespaces: %s\n", r.Seed, r.Journal, r.Netns)
	fmt.Fprintf(&b, "%d operations checked (%d of unknown outcome), %d failed reads left out, %d reads of wrong bytes\n",
		r.Ops, r.Unknown, r.Dropped, r.Corrupt)
	for _, op := range chaosSortedKeys(r.ByOp) {
		var parts []string
		for _, res := range chaosSortedKeys(r.ByOp[op]) {
			parts = append(parts, fmt.Sprintf("%s %d", res, r.ByOp[op][res]))
		}
		fmt.Fprintf(&b, "  %-8s %s\n", op, strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "faults: %v; leader changes seen: %d\n", r.Faults, r.Failovers)
	fmt.Fprintf(&b, "faults for %v, healed in %v, %v in all; history %v (checked in %v)\n",
		r.FaultTime.Round(time.Millisecond), r.HealTime.Round(time.Millisecond), r.Elapsed.Round(time.Second), r.Verdict, r.Verdict.Took.Round(time.Millisecond))
	for _, s := range r.Lost {
		fmt.Fprintf(&b, "under storage: LOST: %s\n", s)
	}
	for _, s := range r.Extra {
		fmt.Fprintf(&b, "under storage: %s\n", s)
	}
	return b.String()
}

// runChaos runs one chaos run and returns what it found. It fails the test
// itself for what no run may do (a cluster that does not heal, a panic);
// whether the history must be linearizable is the caller's call.
func runChaos(t *testing.T, cfg chaosConfig) *chaosResult {
	t.Helper()
	if cfg.Clients == 0 {
		cfg.Clients = 4
	}
	if cfg.Binary == "" {
		cfg.Binary = testcluster.Binary(t)
	}
	began := time.Now()
	res := &chaosResult{Seed: cfg.Seed, Journal: cfg.Journal, Dir: testcluster.LogDir(t), ByOp: map[string]map[string]int{}}
	t.Logf("chaos: seed %d (replay with CHAOS_SEED=%d), %s journal, faults for %v", cfg.Seed, cfg.Seed, cfg.Journal, cfg.Duration)
	chaosWriteFile(t, filepath.Join(res.Dir, "seed.txt"), []byte(fmt.Sprintf("%d\nreplay: CHAOS_SEED=%d, %s journal, faults for %v (%s)\n",
		cfg.Seed, cfg.Seed, cfg.Journal, cfg.Duration, t.Name())))
	rec := &chaosRecorder{}
	scanned := false
	res.KeepDir = chaosKeep(t, res, rec, &scanned)

	plan := chaosPlan(cfg.Seed, cfg.Journal, cfg.Duration)
	var sched strings.Builder
	for i, f := range plan {
		fmt.Fprintf(&sched, "%d %v\n", i+1, f)
	}
	chaosWriteFile(t, filepath.Join(res.Dir, "schedule.txt"), []byte(sched.String()))
	t.Logf("chaos: %d faults planned (%s)", len(plan), filepath.Join(res.Dir, "schedule.txt"))

	cc := newChaosCluster(t, cfg.Journal, cfg.Binary, 2, cfg.MasterEnv)
	res.Netns = "yes"
	if cc.nt == nil {
		res.Netns = "no (" + cc.noNet + ")"
	}
	epochs := max(1, int((cfg.Duration+chaosEpoch-1)/chaosEpoch))
	cc.setup(t, epochs)

	var clients []*chaosClient
	for i := 0; i < cfg.Clients; i++ {
		clients = append(clients, &chaosClient{fs: cc.fs(15 * time.Second), id: i, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
			rec: rec, epochs: epochs})
	}
	final := &chaosClient{fs: cc.fs(60 * time.Second), id: cfg.Clients, rec: rec, epochs: epochs}
	rec.start = time.Now()
	watch := cc.watchLeader(rec.start)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(stop, 1_000_000)
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
		watch.finish()
	})
	res.Faults = cc.runFaults(t, plan, rec.start.Add(cfg.Duration), rec.start)
	res.FaultTime = time.Since(rec.start)
	stopClients()

	healStart := time.Now()
	cc.heal(t)
	res.HealTime = time.Since(healStart)
	failovers, leaders := watch.finish()
	res.Failovers = failovers
	chaosFinalReads(final)
	res.Lost, res.Extra = cc.checkUnderStorage(final.fs, epochs)

	cc.stopAll()
	chaosReportLogs(t, res.Dir)
	scanned = true

	ops, dropped := rec.history()
	res.Ops, res.Dropped, res.Corrupt = len(ops), len(dropped), rec.corrupt
	for _, o := range ops {
		in, out := o.Input.(chaosInput), o.Output.(chaosOutput)
		outcome := out.Result
		switch {
		case out.Unknown:
			outcome = "unknown"
			res.Unknown++
		case in.Op == "get" && strings.HasPrefix(outcome, "="):
			outcome = "read"
		case in.Op == "stat" && strings.HasPrefix(outcome, "len="):
			outcome = "file"
		case in.Op == "list":
			outcome = "listed"
		}
		if res.ByOp[in.Op] == nil {
			res.ByOp[in.Op] = map[string]int{}
		}
		res.ByOp[in.Op][outcome]++
	}
	res.Verdict = chaosCheck(ops, cfg.CheckTimeout, cfg.FullCheckTimeout)
	if !res.Verdict.Linearizable() || os.Getenv(testcluster.KeepLogsEnv) != "" {
		// Else only if the test fails (chaosKeep): a long run's history
		// is hundreds of MB.
		chaosSave(t, res.Dir, ops, dropped)
	}
	if !res.Verdict.Linearizable() {
		chaosVisualize(t, res.Dir, ops, res.Verdict.Failing, cfg.CheckTimeout)
	}
	res.Elapsed = time.Since(began)
	var timeline strings.Builder
	timeline.WriteString(res.summary())
	timeline.WriteString("\nfaults:\n" + strings.Join(res.Faults.Lines, "\n") + "\n\nleaders:\n" + strings.Join(leaders, "\n") + "\n")
	rec.mu.Lock()
	timeline.WriteString("\nnotes:\n" + strings.Join(rec.notes, "\n") + "\n")
	rec.mu.Unlock()
	chaosWriteFile(t, filepath.Join(res.Dir, "summary.txt"), []byte(timeline.String()))
	for _, line := range strings.Split(strings.TrimSpace(res.summary()), "\n") {
		t.Logf("chaos: %s", line)
	}
	return res
}

// chaosKeep arranges for the run's folder (process logs, history, seed,
// schedule) to outlive a failing test, and returns where it will be. The
// cleanup is registered before any process starts, so it runs after they
// are all killed and their logs complete: a run stopped early by a failure
// still has its logs scanned (unless *scanned) and its history kept.
func chaosKeep(t *testing.T, res *chaosResult, rec *chaosRecorder, scanned *bool) string {
	t.Helper()
	keep := res.Dir // under $ALLUXIO_TEST_KEEP_LOGS, kept anyway
	if os.Getenv(testcluster.KeepLogsEnv) == "" {
		var err error
		keep, err = os.MkdirTemp("", fmt.Sprintf("alluxio-chaos-%s-seed%d-", strings.ReplaceAll(t.Name(), "/", "_"), res.Seed))
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if !t.Failed() {
			if keep != res.Dir {
				os.RemoveAll(keep)
			}
			return
		}
		if !*scanned {
			chaosReportLogs(t, res.Dir)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, "history.json")); os.IsNotExist(err) && !rec.start.IsZero() {
			// The run stopped early: keep what was recorded so far.
			ops, dropped := rec.history()
			chaosSave(t, res.Dir, ops, dropped)
		}
		if keep != res.Dir {
			if err := chaosCopyDir(res.Dir, keep); err != nil {
				t.Errorf("chaos: keeping the run in %s: %v", keep, err)
			}
		}
		t.Logf("chaos: seed %d; history, schedule and every process's log are kept in %s", res.Seed, keep)
	})
	return keep
}

// chaosReportLogs fails the test for each line of a master or worker log
// that shows a panic, a fatal error or a data race.
func chaosReportLogs(t *testing.T, dir string) {
	problems, err := scanLogs(dir)
	if err != nil {
		t.Errorf("chaos: scanning logs: %v", err)
	}
	for i, p := range problems {
		if i == 20 {
			t.Errorf("chaos: ... and %d more such lines", len(problems)-i)
			break
		}
		t.Errorf("chaos: %s", p)
	}
}

func chaosSave(t *testing.T, dir string, ops, dropped []porcupine.Operation) {
	for name, v := range map[string][]porcupine.Operation{"history.json": ops, "dropped.json": dropped} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Errorf("chaos: %s: %v", name, err)
			continue
		}
		chaosWriteFile(t, filepath.Join(dir, name), b)
	}
}

// chaosVisualize writes porcupine's picture of each failing group.
func chaosVisualize(t *testing.T, dir string, ops []porcupine.Operation, groups []int, timeout time.Duration) {
	byGroup := chaosByGroup(ops)
	for _, g := range groups {
		_, info := porcupine.CheckOperationsVerbose(chaosModel, chaosBounded(byGroup[g], chaosSettle), timeout)
		p := filepath.Join(dir, fmt.Sprintf("history-g%d.html", g))
		if err := porcupine.VisualizePath(chaosModel, info, p); err != nil {
			t.Logf("chaos: visualizing group %d: %v", g, err)
		}
	}
}

func chaosWriteFile(t *testing.T, p string, b []byte) {
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Errorf("chaos: %v", err)
	}
}

// chaosCopyDir copies the regular files of src (one level) into dst.
func chaosCopyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := chaosCopyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func chaosCopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
