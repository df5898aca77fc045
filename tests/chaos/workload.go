package chaos

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/tests/chaos/history"
	"github.com/alluxio-go/alluxio/tests/chaos/model"
)

// worker is one client of the workload, with its own connection and
// seeded choices: a replay with the same seed makes the same choices (what
// they meet depends on timing).
type worker struct {
	c   Client
	id  int
	rng *rand.Rand
	rec *history.Recorder
	n   int // values written so far
	// epochs is how many sets of model.Groups groups there are: the worker
	// uses set k during the k-th model.Epoch since rec.Start, the last one
	// until the end.
	epochs int
}

// Path is the Alluxio path of name in group g.
func Path(g int, name string) string { return fmt.Sprintf("/chaos/g%d/%s", g, name) }

// Answers a mutation may get that the model names; the rest of its errors
// are either open (unknown) or wrong answers.
var (
	createAnswers   = map[error]string{client.ErrAlreadyExists: "exists", client.ErrNotFound: "notfound"}
	completeAnswers = map[error]string{client.ErrNotFound: "notfound"}
	deleteAnswers   = map[error]string{client.ErrNotFound: "notfound", client.ErrNotEmpty: "notempty"}
	// A failed precondition is the refusal to move a file still being
	// written.
	renameAnswers = map[error]string{client.ErrNotFound: "notfound", client.ErrAlreadyExists: "exists",
		client.ErrPrecondition: "incomplete", client.ErrIncomplete: "incomplete"}
	readAnswers = map[error]string{client.ErrNotFound: "notfound", client.ErrIncomplete: "incomplete"}
)

// run does operations until stop is closed or maxOps are done.
func (c *worker) run(stop <-chan struct{}, maxOps int) {
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
func (c *worker) step() {
	// As many draws every step, whatever happens, so that a seed replays.
	g, r, f, alt, dst, back := c.rng.IntN(model.Groups), c.rng.IntN(100), c.rng.IntN(3), c.rng.IntN(4), c.rng.IntN(2), c.rng.IntN(4) == 0
	g += model.Groups * min(int(time.Since(c.rec.Start)/model.Epoch), c.epochs-1)
	file := model.Names[f]
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
		c.rename(g, file, model.Names[(f+1+dst)%3])
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

// put writes content(v) to a new file: create, then write and complete,
// recorded as two operations since others can see the file in between.
func (c *worker) put(g int, name, v string) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "create", G: g, Name: name, Value: v}, time.Now()
	w, err := c.c.Create(ctx, Path(g, name))
	// The group always exists: not found is a wrong answer, not an open one.
	c.rec.Add(c.id, call, in, history.Classify(err, createAnswers))
	if err != nil {
		return
	}
	in.Op, call = "abandon", time.Now()
	if err := w.Start(ctx); err != nil {
		// The writer could not start and deleted its file again by id,
		// or tried to: of open outcome, whatever the error.
		c.rec.Add(c.id, call, in, model.Output{Unknown: true, Err: history.ErrText(err)})
		return
	}
	in.Op, call = "complete", time.Now()
	if err := w.Write(model.Content(v)); err != nil {
		// Complete was never asked for: the file stays incomplete.
		w.Cancel()
		c.rec.Note(false, "c%d %s: write failed, left incomplete: %v", c.id, Path(g, name), err)
		return
	}
	// Not found from Complete is CompleteFile's answer that the file this
	// writer created is gone (deleted, renamed, or replaced).
	c.rec.Add(c.id, call, in, history.Classify(w.Complete(), completeAnswers))
}

// get reads a file whole and checks every byte. An error of open outcome
// drops the read (it observed nothing); corrupt data or a read that fails
// as corrupt is a violation; any other error at open is a wrong answer, and
// later (the file deleted under the reader, say) drops the read.
func (c *worker) get(g int, name string) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "get", G: g, Name: name}, time.Now()
	p := Path(g, name)
	r, err := c.c.Open(ctx, p)
	if err != nil {
		if history.Open(err) {
			c.rec.Drop(c.id, call, in, err)
			return
		}
		out := history.Classify(err, readAnswers)
		if out.Result == "corrupt" {
			c.rec.Note(true, "c%d %s: open failed as corrupt: %v", c.id, p, err)
		}
		c.rec.Add(c.id, call, in, out)
		return
	}
	b, err := io.ReadAll(r)
	r.Close()
	id, length := r.Opened()
	res := model.Verify(b)
	switch {
	case err != nil && history.Classify(err, nil).Result == "corrupt":
		res = "corrupt"
	case err != nil:
		c.rec.Drop(c.id, call, in, err)
		return
	}
	if res == "corrupt" {
		// Wrong bytes are wrong whatever happened meanwhile: a read either
		// returns the content of the file it opened or fails. What
		// happened to the file helps find why: blocks are named by file
		// id, the under storage by path.
		now, serr := c.c.Stat(ctx, p)
		fate := "still there"
		if serr != nil || now.ID != id {
			fate = "deleted or replaced since"
		}
		c.rec.Note(true, "c%d %s: read %d bytes of file id %d (%d bytes long, %s) that are not its content (error %v); they start %q",
			c.id, p, len(b), id, length, fate, err, b[:min(len(b), 40)])
		in.Value = fate
	}
	c.rec.Add(c.id, call, in, model.Output{Result: res, Err: history.ErrText(err)})
}

// stat records the answer; an error of open outcome drops it, any other
// error than not found is a wrong answer.
func (c *worker) stat(g int, name string) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "stat", G: g, Name: name}, time.Now()
	fi, err := c.c.Stat(ctx, Path(g, name))
	var res string
	switch {
	case history.Open(err):
		c.rec.Drop(c.id, call, in, err)
		return
	case err != nil:
		c.rec.Add(c.id, call, in, history.Classify(err, readAnswers))
		return
	case fi.IsDir:
		res = "dir"
	case !fi.Completed:
		res = "incomplete"
	default:
		res = fmt.Sprintf("len=%d", fi.Length)
	}
	c.rec.Add(c.id, call, in, model.Output{Result: res})
}

func (c *worker) list(g int) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "list", G: g}, time.Now()
	names, err := c.c.List(ctx, fmt.Sprintf("/chaos/g%d", g))
	switch {
	case history.Open(err):
		c.rec.Drop(c.id, call, in, err)
		return
	case err != nil:
		c.rec.Add(c.id, call, in, history.Classify(err, nil))
		return
	}
	sort.Strings(names)
	c.rec.Add(c.id, call, in, model.Output{Result: strings.Join(names, ",")})
}

func (c *worker) mkdir(g int) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "mkdir", G: g, Name: "d0"}, time.Now()
	c.rec.Add(c.id, call, in, history.Classify(c.c.Mkdir(ctx, Path(g, "d0")), createAnswers))
}

func (c *worker) del(g int, name string) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "del", G: g, Name: name}, time.Now()
	// d0 never holds anything: "not empty" is a wrong answer.
	c.rec.Add(c.id, call, in, history.Classify(c.c.Delete(ctx, Path(g, name)), deleteAnswers))
}

func (c *worker) rename(g int, src, dst string) {
	ctx, cancel := opContext()
	defer cancel()
	in, call := model.Input{Op: "rename", G: g, Name: src, Dst: dst}, time.Now()
	c.rec.Add(c.id, call, in, history.Classify(c.c.Rename(ctx, Path(g, src), Path(g, dst)), renameAnswers))
}

// finalReads reads back every name of every group once the cluster has
// healed, with a client whose retry budget outlasts any leftover
// election: whatever was acknowledged must be there, byte for byte, and
// a read that fails here fails the run (returned as problems).
func (c *worker) finalReads() (problems []string) {
	for g := 0; g < c.epochs*model.Groups; g++ {
		_, d0 := c.rec.History()
		c.list(g)
		for _, name := range model.Names {
			c.stat(g, name)
			if name != "d0" {
				c.get(g, name)
			}
		}
		_, d1 := c.rec.History()
		for _, d := range d1[len(d0):] {
			in, out := d.Input.(model.Input), d.Output.(model.Output)
			problems = append(problems, fmt.Sprintf("final %s of %s failed: %s", in.Op, Path(in.G, in.Name), out.Err))
		}
	}
	return problems
}
