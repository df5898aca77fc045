package testcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// BinaryEnv names a prebuilt alluxio binary to use instead of building one,
// so that CI builds once (make build) for all test packages and a developer
// can test a binary built with other flags.
const BinaryEnv = "ALLUXIO_TEST_BINARY"

const binaryPackage = "github.com/alluxio-go/alluxio/cmd/alluxio"

var build struct {
	once sync.Once
	dir  string // removed by Main
	path string
	err  error
}

// mainRunning is set by Main; without it nobody would remove the build.
var mainRunning atomic.Bool

// Main runs the tests of a package that uses this harness and then removes
// what the harness left for the whole test binary (the built alluxio
// binary). Call it from TestMain:
//
//	func TestMain(m *testing.M) { testcluster.Main(m) }
//
// It returns instead of exiting, and the testing package then exits with
// m.Run's code.
func Main(m *testing.M) {
	mainRunning.Store(true)
	m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	extraBuildDirs.mu.Lock()
	for _, d := range extraBuildDirs.dirs {
		os.RemoveAll(d)
	}
	extraBuildDirs.mu.Unlock()
}

// Binary returns the path of the alluxio binary, building it on first use in
// this test binary: all tests share one build because go build takes seconds
// and the result does not change during a run. With ALLUXIO_TEST_BINARY set,
// it returns that file instead. A failed build fails every test that asks.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		abs, err := prebuiltBinary(p)
		if err != nil {
			t.Fatalf("testcluster: %s: %v", BinaryEnv, err)
		}
		return abs
	}
	if !mainRunning.Load() {
		t.Fatalf("testcluster: Binary builds into a directory that only testcluster.Main removes: " +
			"add func TestMain(m *testing.M) { testcluster.Main(m) } to the package, or set " + BinaryEnv)
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "alluxio-testbin-")
		if build.err != nil {
			return
		}
		build.path, build.err = goBuild(binaryPackage, filepath.Join(build.dir, "alluxio"))
	})
	if build.err != nil {
		t.Fatalf("testcluster: building %s: %v", binaryPackage, build.err)
	}
	return build.path
}

var tagged struct {
	mu     sync.Mutex
	builds map[string]*taggedBuild // by tags, comma-joined
}

type taggedBuild struct {
	once sync.Once
	path string
	err  error
}

// BinaryWithTags returns an alluxio binary built with the given build tags
// (go build -tags), such as a variant with failpoints compiled in, building
// it on first use in this test binary. ALLUXIO_TEST_BINARY does not apply:
// the point is a binary other than the usual one.
func BinaryWithTags(t testing.TB, tags ...string) string {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatalf("testcluster: BinaryWithTags builds into a directory that only testcluster.Main removes: " +
			"add func TestMain(m *testing.M) { testcluster.Main(m) } to the package")
	}
	key := strings.Join(tags, ",")
	tagged.mu.Lock()
	if tagged.builds == nil {
		tagged.builds = map[string]*taggedBuild{}
	}
	b := tagged.builds[key]
	if b == nil {
		b = &taggedBuild{}
		tagged.builds[key] = b
	}
	tagged.mu.Unlock()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "alluxio-testbin-tags-")
		if err != nil {
			b.err = err
			return
		}
		registerBuildDir(dir)
		b.path, b.err = goBuild(binaryPackage, filepath.Join(dir, "alluxio"), "-tags", key)
	})
	if b.err != nil {
		t.Fatalf("testcluster: building %s with -tags %s: %v", binaryPackage, key, b.err)
	}
	return b.path
}

// extraBuildDirs are BinaryWithTags' build folders, removed by Main.
var extraBuildDirs struct {
	mu   sync.Mutex
	dirs []string
}

func registerBuildDir(dir string) {
	extraBuildDirs.mu.Lock()
	defer extraBuildDirs.mu.Unlock()
	extraBuildDirs.dirs = append(extraBuildDirs.dirs, dir)
}

func prebuiltBinary(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file", abs)
	}
	return abs, nil
}

// goBuild builds pkg into out with the go command found on PATH, which under
// go test is the toolchain running the tests; flags go before -o.
func goBuild(pkg, out string, flags ...string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH: %w", err)
	}
	cmd := exec.Command(goCmd, append(append([]string{"build"}, flags...), "-o", out, pkg)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, b)
	}
	return out, nil
}
