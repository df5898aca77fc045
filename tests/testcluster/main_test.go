package testcluster_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

// helperEnv makes the test binary act as a child process for the Process
// tests, so they need nothing but themselves to run.
const helperEnv = "TESTCLUSTER_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	testcluster.Main(m)
}

// startHelper starts this test binary as a child in the given mode.
func startHelper(t *testing.T, name, mode string, env ...string) *testcluster.Process {
	t.Helper()
	return testcluster.Start(t, name, os.Args[0], []string{"-test.run=^$"}, append(env, helperEnv+"="+mode))
}

func helper(mode string) int {
	switch mode {
	case "echo":
		// Handles SIGTERM like a well-behaved server.
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		fmt.Print("partial line without newline\n")
		fmt.Println("ready")
		<-term
		fmt.Println("got SIGTERM")
		return 0
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		select {}
	case "fork":
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), helperEnv+"=sleep")
		if err := child.Start(); err != nil {
			fmt.Println("fork failed:", err)
			return 1
		}
		fmt.Printf("child %d\n", child.Process.Pid)
		select {}
	case "sleep":
		select {}
	case "tick":
		for i := 0; ; i++ {
			fmt.Printf("tick %d\n", i)
			time.Sleep(10 * time.Millisecond)
		}
	case "exit":
		fmt.Println("failing")
		return 3
	case "http":
		http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "ok")
		})
		addr := "127.0.0.1:" + os.Getenv("PORT")
		fmt.Println("listening on", addr)
		if err := http.ListenAndServe(addr, nil); err != nil {
			fmt.Println(err)
			return 1
		}
		return 0
	}
	fmt.Println("unknown helper mode", strconv.Quote(mode))
	return 2
}
