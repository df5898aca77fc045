package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/client"
)

// TestChaos drives concurrent clients against a cluster while a seeded
// schedule of faults hits it, records every operation with its timing and
// outcome, and checks the history for linearizability (porcupine, with the
// model in chaos_model_test.go). It runs only when CHAOS_DURATION is set:
//
//	CHAOS_DURATION=2m CHAOS_JOURNAL=embedded|zk CHAOS_SEED=42 go test -run TestChaos -timeout 30m ./tests/e2e/
//
// (`make chaos`). A failing run keeps the history, the seed and every
// process's log in one folder and prints where.
func TestChaos(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CHAOS_DURATION"))
	if err != nil || d <= 0 {
		t.Skip("set CHAOS_DURATION (e.g. 2m) to run the chaos test")
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("chaos seed %d (replay with CHAOS_SEED=%d)", seed, seed)
	var c *haCluster
	if os.Getenv("CHAOS_JOURNAL") == "zk" {
		c = newZKCluster(t, 2, "3s")
	} else {
		c = newEmbeddedCluster(t, 2)
	}
	setup := c.client(60 * time.Second)
	if _, err := setup.CreateDirectory(context.Background(), "/chaos", client.CreateDirectoryOptions{}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{start: time.Now()}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			chaosClient(c.client(10*time.Second), id, rand.New(rand.NewPCG(seed, uint64(id))), rec, stop)
		}(i)
	}
	faults := runFaults(t, c, rand.New(rand.NewPCG(seed, 99)), d)
	close(stop)
	wg.Wait()
	// Heal: everything running, masters agree.
	for _, m := range c.masters {
		if m.proc.Exited() {
			m.proc.Restart(t)
		}
	}
	for _, w := range c.workers {
		if w.proc.Exited() {
			w.proc.Restart(t)
		}
	}
	c.waitLeader()
	c.converge()
	final := c.client(60 * time.Second)
	for k := 0; k < chaosKeys; k++ {
		chaosGet(final, 100, fmt.Sprintf("/chaos/k%d", k), rec)
	}
	ops := rec.ops()
	t.Logf("chaos: %d operations, %d faults (%d leader kills/pauses)", len(ops), faults.total, faults.leader)
	res, info := porcupine.CheckOperationsVerbose(chaosModel, ops, 5*time.Minute)
	if res != porcupine.Ok {
		dir := os.Getenv("ALLUXIO_TEST_KEEP_LOGS")
		if dir == "" {
			dir, _ = os.MkdirTemp("", "alluxio-chaos-")
		}
		path := filepath.Join(dir, fmt.Sprintf("history-seed-%d.html", seed))
		porcupine.VisualizePath(chaosModel, info, path)
		if b, err := json.Marshal(ops); err == nil {
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("history-seed-%d.json", seed)), b, 0o644)
		}
		t.Fatalf("history is %s (seed %d); visualization: %s; process logs: %v", res, seed, path, c.masters[0].proc.LogPath())
	}
}

const chaosKeys = 6

type recorder struct {
	mu    sync.Mutex
	start time.Time
	list  []porcupine.Operation
}

func (r *recorder) add(client int, call time.Time, in chaosInput, out chaosOutput) {
	ret := time.Since(r.start).Nanoseconds()
	if out.Unknown {
		// The effect may land any time later: never returned.
		ret = 1 << 62
	}
	r.mu.Lock()
	r.list = append(r.list, porcupine.Operation{ClientId: client, Input: in, Output: out,
		Call: call.Sub(r.start).Nanoseconds(), Return: ret})
	r.mu.Unlock()
}

func (r *recorder) ops() []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]porcupine.Operation(nil), r.list...)
}

func chaosClient(fs *client.FileSystem, id int, rng *rand.Rand, rec *recorder, stop chan struct{}) {
	for n := 0; n < 100000; n++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("/chaos/k%d", rng.IntN(chaosKeys))
		switch rng.IntN(3) {
		case 0:
			v := fmt.Sprintf("c%d-%d", id, n)
			in, call := chaosInput{Op: "put", Key: key, Value: v}, time.Now()
			rec.add(id, call, in, chaosPut(fs, key, v))
		case 1:
			chaosGet(fs, id, key, rec)
		case 2:
			in, call := chaosInput{Op: "del", Key: key}, time.Now()
			err := fs.Delete(context.Background(), key, client.DeleteOptions{})
			rec.add(id, call, in, outcome(err))
		}
	}
}

// chaosGet reads a key; a read that fails (or finds the file incomplete)
// changed nothing and is left out of the history.
func chaosGet(fs *client.FileSystem, id int, key string, rec *recorder) {
	in, call := chaosInput{Op: "get", Key: key}, time.Now()
	r, err := fs.OpenFile(context.Background(), key, client.OpenOptions{ReadType: "NO_CACHE"})
	if errors.Is(err, client.ErrNotFound) {
		rec.add(id, call, in, chaosOutput{Result: "notfound"})
		return
	}
	if err != nil {
		return
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return
	}
	rec.add(id, call, in, chaosOutput{Result: "ok", Value: string(b)})
}

// chaosPut creates key with content v. Only the create's own answer is
// definite: once the file exists, a failure later (a concurrent delete, a
// failover) leaves the outcome open.
func chaosPut(fs *client.FileSystem, key, v string) chaosOutput {
	w, err := fs.Create(context.Background(), key, client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20})
	if err != nil {
		return outcome(err)
	}
	if _, err := w.Write([]byte(v)); err != nil {
		w.Cancel()
		return chaosOutput{Unknown: true}
	}
	if err := w.Close(); err != nil {
		return chaosOutput{Unknown: true}
	}
	return chaosOutput{Result: "ok"}
}

func outcome(err error) chaosOutput {
	switch {
	case err == nil:
		return chaosOutput{Result: "ok"}
	case errors.Is(err, client.ErrAlreadyExists):
		return chaosOutput{Result: "exists"}
	case errors.Is(err, client.ErrNotFound):
		return chaosOutput{Result: "notfound"}
	}
	return chaosOutput{Unknown: true}
}

type faultCount struct{ total, leader int }

// runFaults hits the cluster for d on a seeded schedule: kill -9 of the
// leader or a standby, a pause of the leader, a worker killed; each is
// undone a moment later.
func runFaults(t *testing.T, c *haCluster, rng *rand.Rand, d time.Duration) faultCount {
	var fc faultCount
	deadline := time.Now().Add(d)
	for i := 0; i < 1000 && time.Now().Before(deadline); i++ {
		// The schedule's own pace, not a wait for a condition.
		time.Sleep(time.Duration(1000+rng.IntN(2000)) * time.Millisecond)
		leader := c.waitLeader()
		switch rng.IntN(4) {
		case 0:
			leader.proc.Kill()
			fc.leader++
			c.waitLeader()
			leader.proc.Restart(t)
		case 1:
			for _, m := range c.masters {
				if m != leader {
					m.proc.Kill()
					m.proc.Restart(t)
					break
				}
			}
		case 2:
			leader.proc.Signal(syscall.SIGSTOP)
			fc.leader++
			time.Sleep(time.Duration(1000+rng.IntN(3000)) * time.Millisecond)
			leader.proc.Signal(syscall.SIGCONT)
		case 3:
			if len(c.workers) > 0 {
				w := c.workers[rng.IntN(len(c.workers))]
				w.proc.Kill()
				w.proc.Restart(t)
				w.waitRegistered()
			}
		}
		fc.total++
	}
	return fc
}
