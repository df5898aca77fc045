package testcluster

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// WaitFor calls cond every interval until it returns true, and fails the
// test with cond's last message when timeout passes first. Pick a generous
// timeout: the wait ends as soon as cond holds, and a loaded CI machine can
// be ten times slower than a laptop.
func WaitFor(t testing.TB, timeout, interval time.Duration, cond func() (bool, string)) {
	t.Helper()
	if err := poll(timeout, interval, cond); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
}

// poll is WaitFor returning an error, for callers that add context.
func poll(timeout, interval time.Duration, cond func() (bool, string)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v: %s", timeout, msg)
		}
		time.Sleep(interval)
	}
}

// WaitHTTP waits until a GET of rawURL returns 200 OK. The URL must name a
// loopback address: tests talk only to processes on this machine.
func WaitHTTP(t testing.TB, rawURL string, timeout time.Duration) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("testcluster: WaitHTTP: %v", err)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		t.Fatalf("testcluster: WaitHTTP: %s is not a loopback address", rawURL)
	}
	client := &http.Client{
		Timeout: 2 * time.Second,
		// No proxy from the environment, and no idle connections left open
		// to a server that the test is about to kill.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	WaitFor(t, timeout, 50*time.Millisecond, func() (bool, string) {
		resp, err := client.Get(rawURL)
		if err != nil {
			return false, err.Error()
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Sprintf("GET %s: %s", rawURL, resp.Status)
		}
		return true, ""
	})
}
