package blockstore

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alluxio-go/alluxio/internal/lockfile"
)

type found struct {
	b     *block
	mtime time.Time
}

// load rebuilds the index from the directories. Nothing else runs yet, so
// it takes no lock. The LRU order of the previous run is lost; the commit
// time (mtime) is the best guess of it we have.
func (s *Store) load() error {
	var all []found
	for _, t := range s.tiers {
		for _, d := range t.dirs {
			fs, err := s.scanDir(d)
			if err != nil {
				return err
			}
			// Newest first, so a shrunk quota keeps the most recent blocks.
			slices.SortFunc(fs, func(a, b found) int { return b.mtime.Compare(a.mtime) })
			for _, f := range fs {
				if other, ok := s.blocks[f.b.id]; ok {
					// A crash between a move's rename and the removal of
					// the source leaves two complete copies; keep the
					// faster one.
					s.log.Warn("removing duplicate copy of block", "block", f.b.id, "dir", d.root, "kept", other.dir.root)
					s.removeFiles(d, f.b.id)
					continue
				}
				if d.used+f.b.length > d.quota {
					s.log.Warn("removing block beyond the quota of its dir", "block", f.b.id, "dir", d.root, "quota", d.quota)
					s.removeFiles(d, f.b.id)
					continue
				}
				d.used += f.b.length
				s.blocks[f.b.id] = f.b
				all = append(all, f)
			}
		}
	}
	slices.SortFunc(all, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	for _, f := range all {
		f.b.access = s.tick()
		f.b.elem = f.b.dir.tier.lru.PushFront(f.b)
	}
	return nil
}

// scanDir reads one layout directory, removing what an interrupted run
// left behind and returning the blocks that are complete.
func (s *Store) scanDir(d *dir) ([]found, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil, ioErr(err, "tier %s: read storage directory %s", d.tier.alias, d.root)
	}
	datas := make(map[int64]os.DirEntry)
	metas := make(map[int64]bool)
	for _, e := range entries {
		name := e.Name()
		if name == lockfile.Name {
			continue
		}
		if strings.HasSuffix(name, tmpSuffix) {
			s.log.Warn("removing leftover temporary file of an interrupted write", "dir", d.root, "file", name)
			if err := os.Remove(filepath.Join(d.path, name)); err != nil {
				s.log.Error("cannot remove leftover temporary file", "dir", d.root, "file", name, "err", err)
			}
			continue
		}
		if base, ok := strings.CutSuffix(name, metaSuffix); ok {
			if id, ok := parseID(base); ok {
				metas[id] = true
				continue
			}
		} else if id, ok := parseID(name); ok && e.Type().IsRegular() {
			datas[id] = e
			continue
		}
		s.log.Warn("ignoring unknown file in storage directory", "dir", d.root, "file", name)
	}
	var out []found
	for id, e := range datas {
		delete(metas, id)
		length, sum, err := readMeta(d.metaPath(id))
		if err != nil {
			s.log.Warn("removing block without valid metadata", "block", id, "dir", d.root, "err", err)
			s.removeFiles(d, id)
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != length {
			size := int64(-1)
			if info != nil {
				size = info.Size()
			}
			s.log.Warn("removing block whose length does not match its metadata", "block", id, "dir", d.root, "length", size, "want", length)
			s.removeFiles(d, id)
			continue
		}
		out = append(out, found{&block{id: id, length: length, crc: sum, dir: d}, info.ModTime()})
	}
	for id := range metas {
		s.log.Warn("removing metadata without block", "block", id, "dir", d.root)
		s.removeFiles(d, id)
	}
	return out, nil
}
