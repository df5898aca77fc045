package blockstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/internal/errs"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	uncreatable := filepath.Join(file, "cache")
	cases := []struct {
		name  string
		tiers []TierConfig
		want  error
		words []string // the error must name these
	}{
		{"no tier", nil, errs.ErrInvalidArg, []string{"alluxio.worker.tieredstore.levels"}},
		{"empty alias", []TierConfig{tierOf("", 1, dir)}, errs.ErrInvalidArg, []string{"level0.alias"}},
		{"duplicate alias", []TierConfig{tierOf("MEM", 1, dir), tierOf("MEM", 1, t.TempDir())}, errs.ErrInvalidArg, []string{"level1.alias", "MEM"}},
		{"no dir", []TierConfig{{Alias: "MEM"}}, errs.ErrInvalidArg, []string{"MEM", "level0.dirs.path"}},
		{"zero quota", []TierConfig{tierOf("MEM", 0, dir)}, errs.ErrInvalidArg, []string{dir, "quota 0", "level0.dirs.quota"}},
		{"negative quota", []TierConfig{tierOf("MEM", 1, t.TempDir()), tierOf("SSD", -5, dir)}, errs.ErrInvalidArg, []string{dir, "-5", "SSD"}},
		{"same dir twice", []TierConfig{tierOf("MEM", 1, dir), tierOf("SSD", 1, dir)}, errs.ErrInvalidArg, []string{dir, "MEM", "SSD"}},
		{"low above high", []TierConfig{{Alias: "MEM", Dirs: []DirConfig{{Path: dir, Quota: 1}}, HighWatermark: 0.8, LowWatermark: 0.9}},
			errs.ErrInvalidArg, []string{"0.9", "0.8", "MEM", "watermark"}},
		{"high above one", []TierConfig{{Alias: "MEM", Dirs: []DirConfig{{Path: dir, Quota: 1}}, HighWatermark: 1.5, LowWatermark: 0.5}},
			errs.ErrInvalidArg, []string{"1.5"}},
		{"only high", []TierConfig{{Alias: "MEM", Dirs: []DirConfig{{Path: dir, Quota: 1}}, HighWatermark: 0.9}},
			errs.ErrInvalidArg, []string{"low.ratio (0)"}},
		{"dir cannot be created", []TierConfig{tierOf("MEM", 1, uncreatable)}, errs.ErrInvalidArg, []string{uncreatable, "MEM"}},
		{"quota over free space", []TierConfig{tierOf("MEM", 1<<20, t.TempDir()), tierOf("HDD", 1<<60, dir)}, errs.ErrNoSpace,
			[]string{dir, "too small", "quota 1152921504606846976", "free"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(Options{Tiers: c.tiers})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			wantErr(t, err, c.want)
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestOpenCreatesDirs(t *testing.T) {
	root := filepath.Join(t.TempDir(), "not", "yet")
	s, _ := openStore(t, tierOf("MEM", 1<<20, root))
	m := writeBlock(t, s, 1, 10, "")
	if filepath.Dir(m.Path) != filepath.Join(root, LayoutDirName) || m.Dir != root {
		t.Fatalf("block at %s (dir %s)", m.Path, m.Dir)
	}
}

func TestOpenShrunkQuota(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, tierOf("HDD", 10*kb, dir))
	for id := int64(1); id <= 5; id++ {
		writeBlock(t, s, id, kb, "")
	}
	s.Close()
	s2, _ := openStore(t, tierOf("HDD", 3*kb, dir))
	if n := len(s2.Blocks()); n != 3 {
		t.Fatalf("%d blocks kept under a 3-block quota", n)
	}
	checkAccounting(t, s2)
}

func FuzzDecodeMeta(f *testing.F) {
	f.Add(encodeMeta(0, 0))
	f.Add(encodeMeta(64<<20, 0xdeadbeef))
	f.Add([]byte("AGB1"))
	f.Add(make([]byte, metaSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		length, sum, err := decodeMeta(b)
		if err != nil {
			return
		}
		if string(encodeMeta(length, sum)) != string(b) {
			t.Fatalf("decode(%x) = %d, %x does not encode back", b, length, sum)
		}
	})
}
