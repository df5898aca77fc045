package state

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/alluxio-go/alluxio/api/journalpb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/record"
)

// WriteCheckpoint writes the whole state to w as framed CheckpointRecords (a
// header, the inodes parents first, the mount points, the retry outcomes
// oldest first, the pending under storage intents, and the header again to mark the end) and returns the
// sequence it covers. It holds the read lock while it writes, so
// readers go on and Apply waits: the checkpoint is one consistent cut.
func (s *State) WriteCheckpoint(w io.Writer, createdMs int64) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf, frame []byte
	put := func(rec *journalpb.CheckpointRecord) error {
		var err error
		buf, err = proto.MarshalOptions{}.MarshalAppend(buf[:0], rec)
		if err != nil {
			return err
		}
		frame = record.Append(frame[:0], buf)
		_, err = bw.Write(frame)
		return err
	}
	hdr := &journalpb.CheckpointHeader{NextSequence: s.lastSeq + 1, NextInodeId: s.nextID,
		InodeCount: int64(len(s.byID)), CreatedMs: createdMs, NextMountId: s.mounts.nextID,
		ClusterId: s.clusterID, UfsModes: s.ufsModes}
	if err := put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_Header{Header: hdr}}); err != nil {
		return 0, err
	}
	// Breadth first, so a reader always knows an inode's parent already.
	queue := []*Inode{s.root}
	rec := &journalpb.CheckpointRecord{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		rec.Record = &journalpb.CheckpointRecord_Inode{Inode: n.toProto()}
		if err := put(rec); err != nil {
			return 0, err
		}
		for _, c := range n.children {
			queue = append(queue, c)
		}
	}
	for _, m := range s.mounts.list() {
		mp := &journalpb.MountPoint{MountId: m.ID, AlluxioPath: m.AlluxioPath, UfsUri: m.UfsURI,
			ReadOnly: m.ReadOnly, Shared: m.Shared, Properties: m.Properties}
		if err := put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_Mount{Mount: mp}}); err != nil {
			return 0, err
		}
	}
	var werr error
	s.retry.each(func(id string, r Result) {
		if werr == nil {
			werr = put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_Retry{Retry: outcomeToProto(id, r)}})
		}
	})
	if werr != nil {
		return 0, werr
	}
	for _, in := range s.intents.sorted(nil) {
		if err := put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_Intent{Intent: in}}); err != nil {
			return 0, err
		}
	}
	for _, k := range s.keys {
		if err := put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_BlockKey{BlockKey: &journalpb.BlockKey{
			Id: k.ID, Secret: k.Secret, ExpiresMs: k.ExpiresMs}}}); err != nil {
			return 0, err
		}
	}
	// The header again marks the end, so a checkpoint cut at a record
	// boundary is told from a whole one.
	if err := put(&journalpb.CheckpointRecord{Record: &journalpb.CheckpointRecord_Header{Header: hdr}}); err != nil {
		return 0, err
	}
	return s.lastSeq, bw.Flush()
}

// Restore replaces the state with the checkpoint read from r. On any error
// the state is left empty, never half loaded; name labels errors.
func (s *State) Restore(r io.Reader, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.restore(r, name)
	if err != nil {
		s.reset()
	}
	return err
}

func (s *State) restore(r io.Reader, name string) error {
	s.reset()
	rr := record.NewReader(r, 0)
	bad := func(format string, args ...any) error {
		return errs.New(errs.ErrCorrupt, "checkpoint %s at offset %d: %s", name, rr.Offset(), fmt.Sprintf(format, args...))
	}
	var hdr *journalpb.CheckpointHeader
	ended := false
	rec := &journalpb.CheckpointRecord{}
	for {
		payload, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var ce *record.CorruptError
			if errors.As(err, &ce) || errors.Is(err, record.ErrTorn) {
				return bad("%v", err)
			}
			return fmt.Errorf("checkpoint %s at offset %d: %w", name, rr.Offset(), err)
		}
		proto.Reset(rec)
		if err := proto.Unmarshal(payload, rec); err != nil {
			return bad("undecodable record: %v", err)
		}
		if ended {
			return bad("record after the end record")
		}
		if _, isHeader := rec.Record.(*journalpb.CheckpointRecord_Header); hdr == nil && !isHeader {
			return bad("record before the header")
		}
		switch x := rec.Record.(type) {
		case *journalpb.CheckpointRecord_Header:
			switch {
			case hdr == nil:
				hdr = x.Header
			case !proto.Equal(hdr, x.Header):
				return bad("end record does not match the header")
			default:
				ended = true
			}
		case *journalpb.CheckpointRecord_Inode:
			if err := s.restoreInode(x.Inode); err != nil {
				return bad("%v", err)
			}
		case *journalpb.CheckpointRecord_Mount:
			m := x.Mount
			s.mounts.byPath[m.AlluxioPath] = &MountPoint{ID: m.MountId, AlluxioPath: m.AlluxioPath, UfsURI: m.UfsUri,
				ReadOnly: m.ReadOnly, Shared: m.Shared, Properties: m.Properties}
		case *journalpb.CheckpointRecord_Retry:
			s.retry.put(x.Retry.OpId, outcomeFromProto(x.Retry))
		case *journalpb.CheckpointRecord_Intent:
			if err := s.restoreIntent(x.Intent); err != nil {
				return bad("%v", err)
			}
		case *journalpb.CheckpointRecord_BlockKey:
			if err := s.restoreBlockKey(x.BlockKey); err != nil {
				return bad("%v", err)
			}
		default:
			return bad("unknown record")
		}
	}
	if hdr == nil {
		return bad("no header")
	}
	if !ended {
		return bad("cut short: no end record")
	}
	if int64(len(s.byID)) != hdr.InodeCount {
		return bad("holds %d inodes, header says %d", len(s.byID), hdr.InodeCount)
	}
	s.lastSeq = hdr.NextSequence - 1
	s.nextID = hdr.NextInodeId
	s.mounts.nextID = hdr.NextMountId
	s.clusterID = hdr.ClusterId
	for root, mode := range hdr.UfsModes {
		s.ufsModes[root] = mode
	}
	return nil
}

func (s *State) restoreInode(p *journalpb.Inode) error {
	if p.Id == RootID {
		if len(s.byID) > 1 {
			return fmt.Errorf("root appears after other inodes")
		}
		root := inodeFromProto(p)
		root.ParentID = -1
		s.root = root
		s.byID = map[int64]*Inode{RootID: root}
		if root.TTLMs > 0 {
			s.ttl[RootID] = struct{}{}
		}
		return nil
	}
	parent, ok := s.byID[p.ParentId]
	if !ok || !parent.IsDir {
		return fmt.Errorf("inode %d has no parent directory %d", p.Id, p.ParentId)
	}
	if _, dup := s.byID[p.Id]; dup {
		return fmt.Errorf("inode %d appears twice", p.Id)
	}
	if _, dup := parent.children[p.Name]; dup || p.Name == "" {
		return fmt.Errorf("inode %d: bad or duplicate name %q", p.Id, p.Name)
	}
	n := inodeFromProto(p)
	n.parent = parent
	parent.children[n.Name] = n
	s.byID[n.ID] = n
	if n.IsDir {
		s.dirs++
	}
	if n.TTLMs > 0 {
		s.ttl[n.ID] = struct{}{}
	}
	return nil
}

func (s *State) restoreIntent(in *journalpb.UfsIntent) error {
	if in.Id == 0 || s.intents.byID[in.Id] != nil {
		return fmt.Errorf("under storage intent with a missing or repeated id %d", in.Id)
	}
	s.intents.add(proto.Clone(in).(*journalpb.UfsIntent))
	return nil
}
