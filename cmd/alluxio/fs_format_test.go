package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alluxio-go/alluxio/client"
)

func TestFormatMode(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		dir  bool
		want string
	}{
		{0o755, true, "drwxr-xr-x"},
		{0o644, false, "-rw-r--r--"},
		{0, false, "----------"},
		{0o777, false, "-rwxrwxrwx"},
		{0o1750, true, "drwxr-x--T"}, // the sticky bit, as ls shows it
		{0o1777, true, "drwxrwxrwt"},
		{0o421, false, "-r---w---x"},
	}
	for _, tt := range tests {
		if got := formatMode(tt.mode, tt.dir); got != tt.want {
			t.Errorf("formatMode(%o, %t) = %q, want %q", tt.mode, tt.dir, got, tt.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2023, 1, 30, 11, 5, 20, 442_000_000, time.UTC), "01-30-2023 11:05:20:442"},
		{time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), "12-01-2024 00:00:00:000"},
		{time.Date(2024, 2, 29, 23, 59, 59, 7_999_999, time.UTC), "02-29-2024 23:59:59:007"},
	}
	for _, tt := range tests {
		if got := formatDate(tt.t); got != tt.want {
			t.Errorf("formatDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestFormatClockTime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{26 * time.Second, "0 day(s), 0 hour(s), 0 minute(s), and 26 second(s)"},
		{49*time.Hour + 3*time.Minute + 4500*time.Millisecond, "2 day(s), 1 hour(s), 3 minute(s), and 4 second(s)"},
		{-time.Second, "0 day(s), 0 hour(s), 0 minute(s), and 0 second(s)"},
	}
	for _, tt := range tests {
		if got := formatClockTime(tt.d); got != tt.want {
			t.Errorf("formatClockTime(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestParseOctalMode(t *testing.T) {
	tests := []struct {
		in      string
		want    os.FileMode
		wantErr string
	}{
		{"755", 0o755, ""},
		{"0644", 0o644, ""},
		{"7", 0o7, ""},
		{"000", 0, ""},
		{"", 0, "octal mode"},
		{"888", 0, "octal mode"},
		{"u+x", 0, "symbolic"},
		{"-755", 0, "octal mode"},
		{"17777", 0, "octal mode"},
		{"1755", 0o1755, ""},
		{"2755", 0, "setgid"},
		{"4755", 0, "setuid"},
		{"0x1ff", 0, "octal mode"},
	}
	for _, tt := range tests {
		got, err := parseOctalMode(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseOctalMode(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseOctalMode(%q) = %o, %v, want %o", tt.in, got, err, tt.want)
		}
	}
}

func TestParseOwnerGroup(t *testing.T) {
	tests := []struct {
		in, owner, group string
		ok               bool
	}{
		{"alice", "alice", "", true},
		{"alice:staff", "alice", "staff", true},
		{"svc@EXAMPLE.COM", "svc@EXAMPLE.COM", "", true},
		{"", "", "", false},
		{":staff", "", "", false},
		{"alice:", "", "", false},
		{"alice:staff:x", "", "", false},
		{"al ice", "", "", false},
		{"-R", "", "", false},
		{"alice\t", "", "", false},
	}
	for _, tt := range tests {
		owner, group, err := parseOwnerGroup(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseOwnerGroup(%q) error = %v, want ok=%t", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (owner != tt.owner || group != tt.group) {
			t.Errorf("parseOwnerGroup(%q) = %q, %q, want %q, %q", tt.in, owner, group, tt.owner, tt.group)
		}
	}
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"10s", 10 * time.Second, true},
		{"1h", time.Hour, true},
		{"5m", 5 * time.Minute, true},
		{"100", 100 * time.Millisecond, true},
		{"0", 0, true},
		{"1.5 sec", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"", 0, false},
		{"ten", 0, false},
		{"10 fortnights", 0, false},
		{"1ns", 0, false},
	}
	for _, tt := range tests {
		got, err := parseTTL(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseTTL(%q) = %v, %v, want %v ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseTTLAction(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"free", "FREE", true},
		{"DELETE", "DELETE", true},
		{"delete_alluxio", "DELETE_ALLUXIO", true},
		{"evict", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := parseTTLAction(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseTTLAction(%q) = %q, %v, want %q ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseMountOptions(t *testing.T) {
	got, err := parseMountOptions([]string{"a=1", "b=x=y", "c="})
	if err != nil || len(got) != 3 || got["a"] != "1" || got["b"] != "x=y" || got["c"] != "" {
		t.Errorf("parseMountOptions = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"novalue"}, {"=v"}, {"a=1", "a=2"}} {
		if _, err := parseMountOptions(bad); err == nil {
			t.Errorf("parseMountOptions(%q) accepted", bad)
		}
	}
}

func TestLsLine(t *testing.T) {
	mod := time.Date(2023, 1, 30, 11, 5, 20, 442_000_000, time.UTC)
	file := &client.FileInfo{Path: "/a/file", Owner: "alice", Group: "staff", Mode: 0o644, Length: 64 << 20,
		PersistenceState: "NOT_PERSISTED", InAlluxioPercent: 100}
	dir := &client.FileInfo{Path: "/a", Owner: "alice", Group: "staff", Mode: 0o755, IsDir: true, Length: 2,
		PersistenceState: "PERSISTED"}
	tests := []struct {
		fi    *client.FileInfo
		human bool
		want  string
	}{
		{file, false, "-rw-r--r-- alice          staff                 67108864   NOT_PERSISTED 01-30-2023 11:05:20:442 100% /a/file"},
		{file, true, "-rw-r--r-- alice          staff                  64.00MB   NOT_PERSISTED 01-30-2023 11:05:20:442 100% /a/file"},
		{dir, false, "drwxr-xr-x alice          staff                        2       PERSISTED 01-30-2023 11:05:20:442  DIR /a   "},
	}
	for _, tt := range tests {
		if got := lsLine(tt.fi, tt.human, mod); got != tt.want {
			t.Errorf("lsLine(%s, %t) =\n%q, want\n%q", tt.fi.Path, tt.human, got, tt.want)
		}
	}
}

func TestSortFileInfos(t *testing.T) {
	t0 := time.Unix(0, 0)
	mk := func(path string, size int64, age int) *client.FileInfo {
		return &client.FileInfo{Path: path, Name: path[strings.LastIndexByte(path, '/')+1:], Length: size,
			Created: t0.Add(time.Duration(age) * time.Second), Modified: t0.Add(time.Duration(-age) * time.Second)}
	}
	paths := func(l []*client.FileInfo) string {
		var s []string
		for _, fi := range l {
			s = append(s, fi.Path)
		}
		return strings.Join(s, " ")
	}
	tests := []struct {
		field   string
		reverse bool
		want    string
	}{
		{"name", false, "/a /a-c /b /a/b"},
		{"path", false, "/a /a/b /a-c /b"},
		{"path", true, "/b /a-c /a/b /a"},
		{"size", false, "/a-c /b /a/b /a"},
		{"creationTime", false, "/a /a/b /b /a-c"},
		{"lastModificationTime", false, "/a-c /b /a/b /a"},
	}
	for _, tt := range tests {
		list := []*client.FileInfo{mk("/b", 2, 2), mk("/a-c", 1, 3), mk("/a/b", 3, 1), mk("/a", 3, 0)}
		if err := sortFileInfos(list, tt.field, tt.reverse); err != nil {
			t.Fatal(err)
		}
		if got := paths(list); got != tt.want {
			t.Errorf("sort by %s reverse=%t: %s, want %s", tt.field, tt.reverse, got, tt.want)
		}
	}
	if err := sortFileInfos(nil, "inode", false); err == nil {
		t.Error("sort by an unknown field accepted")
	}
}

func TestPathLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"/a", "/a/b", true},
		{"/a/b", "/a-c", true},
		{"/a-c", "/a/b", false},
		{"/a", "/a", false},
		{"/a/z", "/b", true},
		{"/ab", "/a/b", false},
	}
	for _, tt := range tests {
		if got := pathLess(tt.a, tt.b); got != tt.want {
			t.Errorf("pathLess(%q, %q) = %t, want %t", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestStatFormat(t *testing.T) {
	fi := &client.FileInfo{Name: "f", Length: 42, Owner: "alice", Group: "staff", BlockIDs: []int64{1, 2},
		Modified: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)}
	tests := []struct{ format, want string }{
		{"%N %z %u:%g %b", "f 42 alice:staff 2"},
		{"%y", "2024-03-04 05:06:07"},
		{"%Y", "1709528767000"},
		{"100%% %q %", "100%% %q %"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := statFormat(tt.format, fi); got != tt.want {
			t.Errorf("statFormat(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestStatDump(t *testing.T) {
	fi := &client.FileInfo{ID: 7, Name: "f", Path: "/f", Mode: 0o644, TTL: -1, TTLAction: "FREE",
		BlockIDs: []int64{1, 2}, PersistenceState: "NOT_PERSISTED", Created: time.UnixMilli(5), Modified: time.UnixMilli(6)}
	got := statDump(fi)
	for _, want := range []string{"FileInfo{fileId=7, name=f, path=/f,", "creationTimeMs=5,", "blockIds=[1, 2],",
		"lastModificationTimesMs=6,", "ttl=-1,", "mode=420,", "persistenceState=NOT_PERSISTED,"} {
		if !strings.Contains(got, want) {
			t.Errorf("statDump = %s\nmissing %q", got, want)
		}
	}
}

func TestUfsLines(t *testing.T) {
	if got := ufsLines(&client.FileInfo{}); len(got) != 0 {
		t.Errorf("ufsLines of a settled file = %q", got)
	}
	got := ufsLines(&client.FileInfo{UfsPending: "PUBLISH (2 attempts, last: unavailable)", UfsError: "file name too long"})
	want := []string{"Under storage change pending: PUBLISH (2 attempts, last: unavailable)", "Under storage change failed: file name too long"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ufsLines = %q, want %q", got, want)
	}
}

func TestMountTableLines(t *testing.T) {
	got := mountTableLines([]client.MountPoint{
		{AlluxioPath: "/", UfsURI: "/data/underFSStorage"},
		{AlluxioPath: "/s3", UfsURI: "s3://bucket/dir", ReadOnly: true, Shared: true,
			Properties: map[string]string{"s3a.secretKey": "******", "alluxio.underfs.s3.endpoint": "http://127.0.0.1:9000"}},
		{AlluxioPath: "/w", UfsURI: "/w", PendingUfsOperations: 3},
	})
	want := []string{
		"/data/underFSStorage  on  /    (local, not read-only, not shared)",
		"s3://bucket/dir       on  /s3  (s3, read-only, shared, properties={alluxio.underfs.s3.endpoint=http://127.0.0.1:9000, s3a.secretKey=******})",
		"/w                    on  /w   (local, not read-only, not shared, 3 under storage changes pending)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mountTableLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDuRow(t *testing.T) {
	tests := []struct {
		size, in int64
		human    bool
		want     string
	}{
		{1024, 512, false, "1024          512 (50%)        /f"},
		{0, 0, false, "0             0 (0%)           /f"},
		{64 << 20, 64 << 20, true, "64.00MB       64.00MB (100%)   /f"},
		{1 << 62, 1 << 61, false, "4611686018427387904 2305843009213693952 (50%) /f"},
	}
	for _, tt := range tests {
		if got := duRow(tt.size, tt.in, "/f", tt.human); got != tt.want {
			t.Errorf("duRow(%d, %d) = %q, want %q", tt.size, tt.in, got, tt.want)
		}
	}
}

func TestMulDiv(t *testing.T) {
	tests := []struct{ a, b, c, want int64 }{
		{1, 100, 3, 33},
		{1 << 62, 100, 1 << 62, 100},
		{5, 0, 7, 0},
		{5, 5, 0, 0},
		{1 << 62, 1 << 62, 1, 1<<63 - 1},
	}
	for _, tt := range tests {
		if got := mulDiv(tt.a, tt.b, tt.c); got != tt.want {
			t.Errorf("mulDiv(%d, %d, %d) = %d, want %d", tt.a, tt.b, tt.c, got, tt.want)
		}
	}
}

func TestSummaryLines(t *testing.T) {
	mi := &client.MasterInfo{Leader: "m1:19998", WebPort: 19999, RPCPort: 19998, Version: "2.10.0-go",
		JournalType: "UFS", ZKEnabled: true, ZooKeeper: []string{"zk1:2181", "zk2:2181"}, Uptime: 26 * time.Second,
		StartTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.Local),
		Statuses:  []client.MasterStatus{{Address: "m1:19998", Role: "PRIMARY", LastApplied: 42}}}
	want := strings.Join([]string{
		"Alluxio cluster summary:",
		"    Master Address: m1:19998",
		"    Web Port: 19999",
		"    Rpc Port: 19998",
		"    Started: 01-02-2024 03:04:05:000",
		"    Uptime: 0 day(s), 0 hour(s), 0 minute(s), and 26 second(s)",
		"    Version: 2.10.0-go",
		"    Safe Mode: false",
		"    Zookeeper Enabled: true",
		"    Zookeeper Addresses: [zk1:2181, zk2:2181]",
		"    Journal Type: UFS",
		"    Masters:",
		"        Address   Role       Last Applied Sequence",
		"        m1:19998  PRIMARY    42",
	}, "\n")
	if got := strings.Join(summaryLines(mi), "\n"); got != want {
		t.Errorf("summaryLines =\n%s\nwant\n%s", got, want)
	}
}

func TestMasterInfoLines(t *testing.T) {
	mi := &client.MasterInfo{Leader: "m1:19998", Masters: []string{"m1:19998", "m2:19998"}, JournalType: "UFS"}
	want := "Current leader master: m1:19998\nAll masters: [m1:19998, m2:19998]\nJournal Type: UFS"
	if got := strings.Join(masterInfoLines(mi), "\n"); got != want {
		t.Errorf("masterInfoLines =\n%s\nwant\n%s", got, want)
	}
}

func TestMetricLines(t *testing.T) {
	got := metricLines([]client.Metric{
		{Name: "Cluster.BytesReadAlluxio", Type: "COUNTER", Value: 3 << 20},
		{Name: "Master.FilesCreated", Type: "COUNTER", Value: 12},
		{Name: "Worker.BlocksCached", Type: "GAUGE", Value: 2, Worker: "w1:29999"},
	})
	want := []string{
		"Cluster.BytesReadAlluxio  (Type: COUNTER, Value: 3072.00KB)", // conf.FormatBytes, as Alluxio prints sizes
		"Master.FilesCreated  (Type: COUNTER, Value: 12)",
		"Worker.BlocksCached (w1:29999)  (Type: GAUGE, Value: 2)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("metricLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
