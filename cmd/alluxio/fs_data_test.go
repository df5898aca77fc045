package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

func TestCapacityLines(t *testing.T) {
	now := time.Unix(1000, 0)
	const mb = 1 << 20
	ws := []client.WorkerInfo{{Host: "127.0.0.1", RPCPort: 29999, State: "LIVE", LastContact: now, Capacity: 1024 * mb,
		Tiers: []client.TierUsage{{Alias: "MEM", Capacity: 1024 * mb}}}}
	want := `Capacity information for all workers: 
    Total Capacity: 1024.00MB
        Tier: MEM  Size: 1024.00MB
    Used Capacity: 0B
        Tier: MEM  Size: 0B
    Used Percentage: 0%
    Free Percentage: 100%

Worker Name      Last Heartbeat   Storage       MEM
127.0.0.1        0                capacity      1024.00MB
                                  used          0B (0%)`
	if got := strings.Join(capacityLines(ws, now), "\n"); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if capacityLines(nil, now) != nil || capacityLines([]client.WorkerInfo{{State: "LOST"}}, now) != nil {
		t.Fatal("no live worker should give no report")
	}
}

func TestCapacityLinesTwoTiers(t *testing.T) {
	now := time.Unix(1000, 0)
	ws := []client.WorkerInfo{
		{Host: "w2", RPCPort: 29999, LastContact: now.Add(-3 * time.Second), Capacity: 300, Used: 150,
			Tiers: []client.TierUsage{{Alias: "SSD", Capacity: 200, Used: 100}, {Alias: "MEM", Capacity: 100, Used: 50}}},
		{Host: "w1", RPCPort: 29999, LastContact: now, Capacity: 100, Used: 0, Tiers: []client.TierUsage{{Alias: "MEM", Capacity: 100}}},
	}
	lines := capacityLines(ws, now)
	for _, want := range []string{
		"    Total Capacity: 400B", "        Tier: SSD  Size: 200B", "    Used Percentage: 37%", "    Free Percentage: 63%",
		"Worker Name      Last Heartbeat   Storage       MEM           SSD",
		"w1               0                capacity      100B          0B",
		"w2               3                capacity      100B          200B",
		"                                  used          50B           100B (50%)",
	} {
		if !contains(lines, want) {
			t.Errorf("missing line %q in\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if i, j := index(lines, "w1 "), index(lines, "w2 "); i < 0 || j < i {
		t.Errorf("workers not sorted by address: %d %d", i, j)
	}
	ws[1].Host = "w2"
	lines = capacityLines(ws, now)
	if index(lines, "w2:29999 ") < 0 {
		t.Errorf("workers on one host not told apart:\n%s", strings.Join(lines, "\n"))
	}
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func index(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

func TestTierOrder(t *testing.T) {
	got := tierOrder(map[string]int64{"HDD": 1, "NVME": 1, "MEM": 1, "SSD": 1, "ARCHIVE": 1})
	if strings.Join(got, ",") != "MEM,SSD,HDD,ARCHIVE,NVME" {
		t.Fatalf("tierOrder = %v", got)
	}
}

func TestLocationLines(t *testing.T) {
	fi := &client.FileInfo{ID: 7, Blocks: []client.BlockInfo{
		{ID: 7 << 24, Locations: []client.BlockLocation{{Host: "h1"}, {Host: "h2"}}},
		{ID: 7<<24 | 1},
	}}
	got := strings.Join(locationLines("/f", fi, false), "\n")
	if got != "/f with file id 7 is on nodes: \nh1\nh2" {
		t.Fatalf("location: %q", got)
	}
	got = strings.Join(locationLines("/f", fi, true), "\n")
	if got != "/f with file id 7 is on nodes: \nblock 117440512: h1, h2\nblock 117440513: not in Alluxio" {
		t.Fatalf("location --blocks: %q", got)
	}
}

func TestCpArgs(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		want     string
		bad      bool
	}{
		{"/a", "/b", "/a,/b", false},
		{"file:///tmp/x", "/b", "/b", false},
		{"/a", "file:///tmp/x", "/a", false},
		{"file:///x", "file:///y", "", true},
	} {
		got, err := cpArgs(c.src, c.dst)
		if (err != nil) != c.bad || strings.Join(got, ",") != c.want {
			t.Errorf("cpArgs(%q, %q) = %v, %v", c.src, c.dst, got, err)
		}
	}
}

func TestLocalArg(t *testing.T) {
	if got, err := localArg("file:///tmp/x"); err != nil || got != "/tmp/x" {
		t.Errorf("file URI: %q, %v", got, err)
	}
	wd, _ := filepath.Abs(".")
	if got, err := localArg("rel/x"); err != nil || got != filepath.Join(wd, "rel/x") {
		t.Errorf("relative: %q, %v", got, err)
	}
	if _, err := localArg("file://"); err == nil {
		t.Error("empty path accepted")
	}
	if fileURI("/tmp/x") != "file:///tmp/x" {
		t.Error("fileURI")
	}
}

func TestFilesOf(t *testing.T) {
	dir := &client.FileInfo{Path: "/d", IsDir: true}
	below := []*client.FileInfo{{Path: "/d/b"}, {Path: "/d/s", IsDir: true}, {Path: "/d/a"}}
	got := files(dir, below)
	if len(got) != 2 || got[0].Path != "/d/a" || got[1].Path != "/d/b" {
		t.Fatalf("files of a directory: %v", got)
	}
	f := &client.FileInfo{Path: "/f"}
	if got := files(f, nil); len(got) != 1 || got[0] != f {
		t.Fatalf("files of a file: %v", got)
	}
}

func TestDataCommandArgs(t *testing.T) {
	byName := map[string]bool{}
	for _, c := range fsCommands() {
		byName[c.Name()] = true
	}
	for _, n := range []string{"cat", "head", "tail", "checksum", "copyFromLocal", "copyToLocal", "cp", "load", "free", "persist", "location"} {
		if !byName[n] {
			t.Errorf("fs %s is not registered", n)
		}
	}
	for _, c := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"copyFromLocal", "/tmp/a"}, false},
		{[]string{"copyFromLocal", "/tmp/a", "/tmp/b", "/dst"}, true},
		{[]string{"copyToLocal", "/a"}, false},
		{[]string{"cp", "-R", "/a", "/b"}, true},
		{[]string{"cat", "/a", "/b"}, false},
		{[]string{"head", "-c", "2KB", "/a"}, true},
		{[]string{"persist"}, false},
		{[]string{"persist", "/a", "/b"}, true},
		{[]string{"free", "-f", "/a"}, true},
		{[]string{"load", "--local", "/a"}, true},
	} {
		root := fsCmd()
		cmd, rest, err := root.Find(c.args)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatalf("%v: flags: %v", c.args, err)
		}
		err = cmd.ValidateArgs(cmd.Flags().Args())
		if (err == nil) != c.ok {
			t.Errorf("%v: args error %v", c.args, err)
		}
	}
}
