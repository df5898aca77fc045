package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/alluxio-go/alluxio/client"
)

// progress is the bar of a long command (copies, load, persist): bytes
// done of the total, the rate and the time left, redrawn in place. It is
// drawn only when the command's output is a terminal: piped or
// redirected, the output is the lines it always was, for scripts. While
// a bar shows, the command's lines go through the bar's container, which
// prints them above it.
type progress struct {
	out io.Writer
	p   *mpb.Progress
	bar *mpb.Bar
	// refresh asks for a redraw; the bar is redrawn on a tick, after each
	// line (the container prints lines only when it draws) and at the end.
	refresh chan any
	stop    chan struct{}
	ticks   sync.WaitGroup
}

// refreshEvery is how often the bar is redrawn.
const refreshEvery = 200 * time.Millisecond

// terminalWidth is the width of the terminal w is, 0 when it is none (or
// says it has no size, as a bare pseudo terminal may).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// startProgress starts a bar named name for total bytes when the
// command's output is a terminal; otherwise it only passes lines on.
func startProgress(cmd *cobra.Command, name string, total int64) *progress {
	out := cmd.OutOrStdout()
	pr := &progress{out: out}
	if total <= 0 || terminalWidth(out) <= 0 {
		return pr
	}
	pr.refresh, pr.stop = make(chan any), make(chan struct{})
	pr.p = mpb.New(mpb.WithOutput(out), mpb.WithWidth(32), mpb.WithManualRefresh(pr.refresh))
	start := time.Now()
	pr.bar = pr.p.New(total, mpb.BarStyle(),
		mpb.PrependDecorators(decor.Name(name+" "), decor.Counters(decor.SizeB1024(0), "% .1f / % .1f")),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Any(func(s decor.Statistics) string {
			return rateAndETA(s.Current, s.Total, s.Completed, time.Since(start))
		})))
	pr.out = pr.p
	pr.ticks.Add(1)
	go func() {
		defer pr.ticks.Done()
		t := time.NewTicker(refreshEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				pr.refresh <- struct{}{}
			case <-pr.stop:
				return
			}
		}
	}()
	return pr
}

// rateAndETA is the average rate since the start and the time left at
// that rate.
func rateAndETA(done, total int64, completed bool, elapsed time.Duration) string {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	eta := "-"
	switch {
	case completed || done >= total:
		eta = "0s"
	case rate > 0:
		eta = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf(" % .1f/s ETA %s", decor.SizeB1024(int64(rate)), eta)
}

// Write prints a line of the command's output (above the bar, if any).
func (p *progress) Write(b []byte) (int, error) {
	n, err := p.out.Write(b)
	if p.bar != nil {
		p.refresh <- struct{}{}
	}
	return n, err
}

// add counts n more bytes done.
func (p *progress) add(n int64) {
	if p.bar != nil {
		p.bar.IncrInt64(n)
	}
}

// finish ends the bar: complete where it got to after success, left as it
// was after a failure; it is drawn a last time, with any line not shown
// yet, before finish returns.
func (p *progress) finish(err error) {
	if p.bar == nil {
		return
	}
	close(p.stop)
	p.ticks.Wait()
	if err == nil {
		p.bar.SetTotal(-1, true)
	} else {
		p.bar.Abort(false)
	}
	p.refresh <- struct{}{}
	p.p.Wait()
}

// localSize is the bytes of the regular files at or below the local
// paths, as a copy would read them (symbolic links followed).
func localSize(paths ...string) int64 {
	var total int64
	for _, root := range paths {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				total += st.Size()
			}
			return nil
		})
	}
	return total
}

// alluxioSize is the bytes of the files at or below an Alluxio path; 0
// when it cannot be listed (the copy then says why).
func alluxioSize(ctx context.Context, c *client.FileSystem, p string) int64 {
	fi, err := c.GetStatus(ctx, p, client.StatusOptions{})
	if err != nil {
		return 0
	}
	if !fi.IsDir {
		return fi.Length
	}
	below, err := c.ListStatus(ctx, p, true, client.StatusOptions{})
	if err != nil {
		return 0
	}
	var total int64
	for _, f := range below {
		if !f.IsDir {
			total += f.Length
		}
	}
	return total
}
