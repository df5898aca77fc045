package testcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ArtifactsEnv names a folder where tests leave what a person may want to
// look at afterwards (screenshots); without it they go to a t.TempDir.
const ArtifactsEnv = "ALLUXIO_TEST_ARTIFACTS"

// BrowserEnv overrides the browser binary (default: chromium on PATH).
const BrowserEnv = "ALLUXIO_TEST_CHROMIUM"

// Browser is a headless Chromium driven over the DevTools protocol
// (chromedp), with one tab. It records every console error, uncaught
// exception and browser log error (a failed load, say) of the pages it
// shows, and fails the test on one.
type Browser struct {
	t         testing.TB
	ctx       context.Context
	artifacts string

	mu       sync.Mutex
	problems []string
}

// NewBrowser starts Chromium with a fresh profile, closed at the end of
// the test. Without Chromium the test is skipped, or fails under CI.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	bin := os.Getenv(BrowserEnv)
	if bin == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		SkipOrFail(t, "no Chromium (apt-get install chromium, or set "+BrowserEnv+")")
	}
	// The flags keep Chromium from reaching out to the network (updates,
	// sync, field trials), which this machine has not; QUIC and the GPU
	// are off for the same reason and for running as root in a sandbox.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &Browser{t: t, ctx: ctx}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first Do starts the browser and opens the tab, which live as long
	// as its context: ctx itself, not one with a timeout. Console then
	// follows the tab.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.problem(m.String() + " (" + m.URL + ")")
			}
		}
	}()
	b.artifacts = artifactsDir(t)
	t.Logf("screenshots of %s go to %s", t.Name(), b.artifacts)
	return b
}

func artifactsDir(t testing.TB) string {
	root := os.Getenv(ArtifactsEnv)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, sanitizeName(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("%s: %v", ArtifactsEnv, err)
	}
	return dir
}

func (b *Browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

// Problems returns the errors recorded so far and forgets them.
func (b *Browser) Problems() []string {
	// Console messages arrive as events, after the actions that caused
	// them: a round trip to the page lets those of the page shown in.
	get(b, chromedp.Evaluate[int]("1"))
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// Do runs chromedp actions in the tab, failing the test after 30s.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// get runs one action that returns a value, failing the test after 30s.
func get[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// Visit loads url, saves a full-page screenshot named name.png among the
// artifacts, and fails the test on any error the page caused.
func (b *Browser) Visit(url, name string) {
	b.t.Helper()
	b.Load(url)
	b.Screenshot(name)
}

// Load loads url and waits for its body; errors are recorded, not checked.
func (b *Browser) Load(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// Screenshot saves the tab as name.png among the artifacts and fails the
// test on any error recorded since the last check.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	png := get(b, chromedp.FullScreenshot(100))
	path := filepath.Join(b.artifacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if p := b.Problems(); len(p) > 0 {
		b.t.Fatalf("page %s (%s) had errors:\n%s", name, path, strings.Join(p, "\n"))
	}
}

// Text returns the text of the first element the CSS selector sel matches.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	return get(b, chromedp.TextContent(chromedp.CSS(sel)))
}

// Texts returns the text of every element the CSS selector sel matches,
// without waiting for any.
func (b *Browser) Texts(sel string) []string {
	b.t.Helper()
	return get(b, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.textContent)`, sel)))
}

// Click clicks the first element the CSS selector sel matches and waits
// for the page it leads to.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
}

// Location is the URL of the page shown.
func (b *Browser) Location() string {
	b.t.Helper()
	return get(b, chromedp.Location())
}
