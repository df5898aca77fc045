package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/alluxio-go/alluxio/client"
)

// chaosOpTimeout bounds one operation, data included, so a client stuck on
// a stalled stream cannot hold the run: the client's own retry budget is
// much shorter for the master calls.
const chaosOpTimeout = 2 * time.Minute

// chaosRecorder keeps the history: every operation with its call and
// return time (ns since start) and what the client saw. Reads that failed
// changed nothing and are kept apart, out of the check.
type chaosRecorder struct {
	start time.Time

	mu      sync.Mutex
	ops     []porcupine.Operation
	dropped []porcupine.Operation
	// corrupt counts reads whose bytes were not the content of the file
	// they opened; notes says what each was.
	corrupt int
	notes   []string
}

func (r *chaosRecorder) since(t time.Time) int64 { return t.Sub(r.start).Nanoseconds() }

// add records an operation that returned now.
func (r *chaosRecorder) add(client int, call time.Time, in chaosInput, out chaosOutput) {
	op := porcupine.Operation{ClientId: client, Input: in, Output: out, Call: r.since(call), Return: r.since(time.Now())}
	if out.Unknown {
		// The effect may land any time later: never returned.
		out.End, op.Return = op.Return, 1<<62
		op.Output = out
	}
	r.mu.Lock()
	r.ops = append(r.ops, op)
	r.mu.Unlock()
}

// drop records a read that failed, for the record only.
func (r *chaosRecorder) drop(client int, call time.Time, in chaosInput, err error) {
	op := porcupine.Operation{ClientId: client, Input: in, Output: chaosOutput{Err: chaosErrText(err)},
		Call: r.since(call), Return: r.since(time.Now())}
	r.mu.Lock()
	r.dropped = append(r.dropped, op)
	r.mu.Unlock()
}

func (r *chaosRecorder) note(corrupt bool, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if corrupt {
		r.corrupt++
	}
	if len(r.notes) < 1000 {
		r.notes = append(r.notes, fmt.Sprintf("%.3fs ", time.Since(r.start).Seconds())+fmt.Sprintf(format, args...))
	}
}

func (r *chaosRecorder) history() (ops, dropped []porcupine.Operation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]porcupine.Operation(nil), r.ops...), append([]porcupine.Operation(nil), r.dropped...)
}

func chaosErrText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// chaosOutcome maps a mutation's error to what the model knows of it. An
// error in definite is an answer from the namespace (nothing changed);
// anything else (no primary within the retry budget, a timeout, a failed
// stream) leaves the outcome open.
func chaosOutcome(err error, definite ...error) chaosOutput {
	if err == nil {
		return chaosOutput{Result: "ok"}
	}
	for _, d := range definite {
		if errors.Is(err, d) {
			return chaosOutput{Result: chaosOutcomeNames[d]}
		}
	}
	return chaosOutput{Unknown: true, Err: chaosErrText(err)}
}

var chaosOutcomeNames = map[error]string{
	client.ErrAlreadyExists: "exists",
	client.ErrNotFound:      "notfound",
	client.ErrNotEmpty:      "notempty",
	client.ErrPrecondition:  "incomplete",
	client.ErrIncomplete:    "incomplete",
}

// chaosClient is one client of the workload, with its own connection and
// seeded choices: a replay with the same seed makes the same choices (what
// they meet depends on timing).
type chaosClient struct {
	fs  *client.FileSystem
	id  int
	rng *rand.Rand
	rec *chaosRecorder
	n   int // values written so far
	// epochs is how many sets of chaosGroups groups there are: the client
	// uses set k during the k-th chaosEpoch since rec.start, the last one
	// until the end.
	epochs int
}

func chaosPath(g int, name string) string { return fmt.Sprintf("/chaos/g%d/%s", g, name) }

// run does operations until stop is closed or maxOps are done.
func (c *chaosClient) run(stop <-chan struct{}, maxOps int) {
	for i := 0; i < maxOps; i++ {
		select {
		case <-stop:
			return
		default:
		}
		c.step()
	}
}

// step does one operation of the mix and, now and then, reads back what
// it changed at once: a change acknowledged before it is durable and
// visible shows up there first.
func (c *chaosClient) step() {
	// As many draws every step, whatever happens, so that a seed replays.
	g, r, f, alt, dst, back := c.rng.IntN(chaosGroups), c.rng.IntN(100), c.rng.IntN(3), c.rng.IntN(4), c.rng.IntN(2), c.rng.IntN(4) == 0
	g += chaosGroups * min(int(time.Since(c.rec.start)/chaosEpoch), c.epochs-1)
	file := chaosNames[f]
	switch {
	case r < 25:
		c.n++
		c.put(g, file, fmt.Sprintf("c%d-%d", c.id, c.n))
		if back {
			c.get(g, file)
		}
	case r < 45:
		c.get(g, file)
	case r < 53:
		c.mkdir(g)
		if back {
			c.stat(g, "d0")
		}
	case r < 68:
		name := file
		if alt == 0 {
			name = "d0"
		}
		c.del(g, name)
		if back {
			c.stat(g, name)
		}
	case r < 80:
		c.rename(g, file, chaosNames[(f+1+dst)%3])
		if back {
			c.list(g)
		}
	case r < 92:
		name := file
		if alt == 0 {
			name = "d0"
		}
		c.stat(g, name)
	default:
		c.list(g)
	}
}

func chaosOpContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), chaosOpTimeout)
}

// put writes content(v) to a new file: create, then write and complete,
// recorded as two operations since others can see the file in between.
func (c *chaosClient) put(g int, name, v string) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "create", G: g, Name: name, Value: v}, time.Now()
	opts := client.CreateFileOptions{WriteType: "CACHE_THROUGH", BlockSize: 1 << 20}
	info, err := c.fs.CreateFile(ctx, chaosPath(g, name), opts)
	if err != nil {
		// The group always exists: not found is a wrong answer, not an
		// open one.
		c.rec.add(c.id, call, in, chaosOutcome(err, client.ErrAlreadyExists, client.ErrNotFound))
		return
	}
	c.rec.add(c.id, call, in, chaosOutput{Result: "ok"})
	in.Op, call = "abandon", time.Now()
	w, err := c.fs.OpenWriter(ctx, info, opts)
	if err != nil {
		// The writer could not start and deleted its file again by id,
		// or tried to.
		c.rec.add(c.id, call, in, chaosOutput{Unknown: true, Err: chaosErrText(err)})
		return
	}
	in.Op, call = "complete", time.Now()
	if _, err := w.Write(chaosContent(v)); err != nil {
		// Complete was never asked for: the file stays incomplete.
		w.Cancel()
		c.rec.note(false, "c%d %s: write failed, left incomplete: %v", c.id, chaosPath(g, name), err)
		return
	}
	// Not found from Close is CompleteFile's answer that the file this
	// writer created is gone (deleted, renamed, or replaced): the data
	// streams' failures here are worker errors.
	c.rec.add(c.id, call, in, chaosOutcome(w.Close(), client.ErrNotFound))
}

// get reads a file whole and checks every byte.
func (c *chaosClient) get(g int, name string) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "get", G: g, Name: name}, time.Now()
	p := chaosPath(g, name)
	r, err := c.fs.OpenFile(ctx, p, client.OpenOptions{ReadType: "NO_CACHE"})
	switch {
	case errors.Is(err, client.ErrNotFound):
		c.rec.add(c.id, call, in, chaosOutput{Result: "notfound"})
		return
	case errors.Is(err, client.ErrIncomplete):
		// Open looks the file up first: this is the namespace's answer.
		c.rec.add(c.id, call, in, chaosOutput{Result: "incomplete"})
		return
	case err != nil:
		c.rec.drop(c.id, call, in, err)
		return
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		c.rec.drop(c.id, call, in, err)
		return
	}
	res := chaosVerify(b)
	if res == "corrupt" {
		// Wrong bytes are wrong whatever happened meanwhile: a read either
		// returns the content of the file it opened or fails. What
		// happened to the file helps find why: blocks are named by file
		// id, the under storage by path.
		opened := r.Info()
		now, serr := c.fs.GetStatus(ctx, p, client.StatusOptions{})
		fate := "still there"
		if serr != nil || now.ID != opened.ID {
			fate = "deleted or replaced since"
		}
		c.rec.note(true, "c%d %s: read %d bytes of file id %d (%d bytes long, %s) that are not its content; they start %q",
			c.id, p, len(b), opened.ID, opened.Length, fate, b[:min(len(b), 40)])
		in.Value = fate
	}
	c.rec.add(c.id, call, in, chaosOutput{Result: res})
}

func (c *chaosClient) stat(g int, name string) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "stat", G: g, Name: name}, time.Now()
	fi, err := c.fs.GetStatus(ctx, chaosPath(g, name), client.StatusOptions{})
	var res string
	switch {
	case errors.Is(err, client.ErrNotFound):
		res = "notfound"
	case err != nil:
		c.rec.drop(c.id, call, in, err)
		return
	case fi.IsDir:
		res = "dir"
	case !fi.Completed:
		res = "incomplete"
	default:
		res = fmt.Sprintf("len=%d", fi.Length)
	}
	c.rec.add(c.id, call, in, chaosOutput{Result: res})
}

func (c *chaosClient) list(g int) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "list", G: g}, time.Now()
	infos, err := c.fs.ListStatus(ctx, fmt.Sprintf("/chaos/g%d", g), false, client.StatusOptions{})
	if err != nil {
		c.rec.drop(c.id, call, in, err)
		return
	}
	names := make([]string, 0, len(infos))
	for _, fi := range infos {
		names = append(names, fi.Name)
	}
	sort.Strings(names)
	c.rec.add(c.id, call, in, chaosOutput{Result: strings.Join(names, ",")})
}

func (c *chaosClient) mkdir(g int) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "mkdir", G: g, Name: "d0"}, time.Now()
	_, err := c.fs.CreateDirectory(ctx, chaosPath(g, "d0"), client.CreateDirectoryOptions{WriteType: "CACHE_THROUGH"})
	c.rec.add(c.id, call, in, chaosOutcome(err, client.ErrAlreadyExists, client.ErrNotFound))
}

func (c *chaosClient) del(g int, name string) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "del", G: g, Name: name}, time.Now()
	err := c.fs.Delete(ctx, chaosPath(g, name), client.DeleteOptions{})
	// d0 never holds anything: "not empty" is a wrong answer.
	c.rec.add(c.id, call, in, chaosOutcome(err, client.ErrNotFound, client.ErrNotEmpty))
}

func (c *chaosClient) rename(g int, src, dst string) {
	ctx, cancel := chaosOpContext()
	defer cancel()
	in, call := chaosInput{Op: "rename", G: g, Name: src, Dst: dst}, time.Now()
	err := c.fs.Rename(ctx, chaosPath(g, src), chaosPath(g, dst))
	// A failed precondition is the refusal to move a file still being
	// written.
	c.rec.add(c.id, call, in, chaosOutcome(err, client.ErrNotFound, client.ErrAlreadyExists, client.ErrPrecondition, client.ErrIncomplete))
}

// chaosFinalReads reads back every name of every group once the cluster
// has healed: whatever was acknowledged must be there, byte for byte.
func chaosFinalReads(c *chaosClient) {
	for g := 0; g < c.epochs*chaosGroups; g++ {
		c.list(g)
		for _, name := range chaosNames {
			c.stat(g, name)
			if name != "d0" {
				c.get(g, name)
			}
		}
	}
}
