package worker

import (
	"context"
	"errors"
	"io"
	"os"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/blockid"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security/authz/blockcap"
	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/worker/blockstore"
)

const defaultChunk = 1 << 20

// dataService streams blocks to and from clients.
type dataService struct {
	pb.UnimplementedBlockWorkerServer
	s *Server
}

// openCached opens a cached block, checking its checksum the first time
// this process serves it: a damaged block is dropped (and then read from the
// under storage like any miss).
func (d *dataService) openCached(id int64, promote bool) (*blockstore.Handle, error) {
	if !d.s.store.Has(id) {
		return nil, errs.New(errs.ErrNotFound, "block %d is not cached on this worker", id)
	}
	if promote {
		if err := d.s.store.Promote(id); err != nil && !errors.Is(err, errs.ErrNoSpace) {
			d.s.log.Debug("promote failed", "block", id, "err", err)
		}
	}
	if _, ok := d.s.verified.Load(id); !ok {
		if err := d.s.store.Verify(id); err != nil {
			if errors.Is(err, errs.ErrCorrupt) {
				d.s.metrics.corrupt.Inc()
				d.s.log.Warn("dropped a damaged cached block", "block", id, "err", err)
			}
			return nil, err
		}
		d.s.verified.Store(id, true)
	}
	return d.s.store.OpenBlock(id)
}

func (d *dataService) ReadBlock(r *pb.ReadBlockRequest, stream grpc.ServerStreamingServer[pb.ReadBlockResponse]) error {
	if r.Offset < 0 || r.Length < -1 {
		return errs.New(errs.ErrInvalidArg, "read of block %d: offset %d, length %d", r.BlockId, r.Offset, r.Length)
	}
	g, err := d.admit(stream.Context(), r.Capability, r.BlockId, blockcap.Read)
	if err != nil {
		return err
	}
	chunk := int(r.ChunkSize)
	if chunk <= 0 || chunk > 8<<20 {
		chunk = defaultChunk
	}
	promote := r.ReadType == pb.ReadType_CACHE_PROMOTE
	h, err := d.openCached(r.BlockId, promote)
	if err == nil {
		defer h.Close()
		return d.sendCached(g, h, r, chunk, stream)
	}
	if r.Source == nil {
		return err
	}
	if r.Offset > r.Source.BlockLength {
		return errs.New(errs.ErrInvalidArg, "read of block %d at %d past its end %d", r.BlockId, r.Offset, r.Source.BlockLength)
	}
	// A block being cached is streamed as it lands. A read of a whole
	// block the cache should keep starts that (parallel reads of the
	// under storage, cached as they come); a part of a block, or an
	// uncached read, is read directly.
	j := d.s.cachingJob(r.BlockId)
	if j == nil && r.ReadType != pb.ReadType_NO_CACHE && r.Offset == 0 && (r.Length < 0 || r.Length >= r.Source.BlockLength) {
		if j = d.s.cacheAsync(r.BlockId, r.Source); j == nil {
			// Cached meanwhile.
			if h, err := d.openCached(r.BlockId, promote); err == nil {
				defer h.Close()
				return d.sendCached(g, h, r, chunk, stream)
			}
		}
	}
	if j != nil {
		off, err := d.sendTail(g, j, r, chunk, stream)
		if err != nil || off < 0 {
			return err
		}
		// The job ended before the range was sent: the rest comes from
		// the cache when the job cached the block, else directly.
		rest := &pb.ReadBlockRequest{BlockId: r.BlockId, Offset: off, Length: -1, ChunkSize: r.ChunkSize, ReadType: r.ReadType, Source: r.Source}
		if r.Length >= 0 {
			rest.Length = r.Offset + r.Length - off
		}
		if j.err == nil {
			if h, err := d.openCached(r.BlockId, promote); err == nil {
				defer h.Close()
				return d.sendCached(g, h, rest, chunk, stream)
			}
		}
		r = rest
	}
	return d.readUfs(stream.Context(), g, r, chunk, stream)
}

// sendTail streams the requested range of a block a job is caching, as
// it lands. It returns -1 once all was sent, or the offset to go on from
// when the job ended first.
func (d *dataService) sendTail(g *grant, j *cacheJob, r *pb.ReadBlockRequest, chunk int, stream grpc.ServerStreamingServer[pb.ReadBlockResponse]) (int64, error) {
	end := r.Source.BlockLength
	if r.Length >= 0 && r.Offset+r.Length < end {
		end = r.Offset + r.Length
	}
	buf := make([]byte, chunk)
	first := true
	for off := r.Offset; off < end; {
		if err := g.live(); err != nil {
			return off, err
		}
		n, err := j.readAt(stream.Context(), buf[:min(int64(chunk), end-off)], off)
		if err != nil {
			return off, err
		}
		if n == 0 {
			return off, nil
		}
		if err := stream.Send(&pb.ReadBlockResponse{Chunk: buf[:n], FromUfs: first}); err != nil {
			return off, err
		}
		first = false
		off += int64(n)
	}
	return -1, nil
}

func (d *dataService) sendCached(g *grant, h *blockstore.Handle, r *pb.ReadBlockRequest, chunk int, stream grpc.ServerStreamingServer[pb.ReadBlockResponse]) error {
	end := h.Length()
	if r.Length >= 0 && r.Offset+r.Length < end {
		end = r.Offset + r.Length
	}
	buf := make([]byte, chunk)
	for off := r.Offset; off < end; {
		if err := g.live(); err != nil {
			return err
		}
		n := int(min(int64(chunk), end-off))
		got, err := h.ReadAt(buf[:n], off)
		if got > 0 {
			if err := stream.Send(&pb.ReadBlockResponse{Chunk: buf[:got]}); err != nil {
				return err
			}
			d.s.metrics.cacheRead.Add(float64(got))
			off += int64(got)
		}
		if err != nil && err != io.EOF {
			return err
		}
		if got == 0 {
			break
		}
	}
	return nil
}

// readUfs serves a block the cache does not hold. A whole-block read is
// cached as it streams (per the read type); a partial one is served
// directly and the whole block is cached in the background.
func (d *dataService) readUfs(ctx context.Context, g *grant, r *pb.ReadBlockRequest, chunk int, stream grpc.ServerStreamingServer[pb.ReadBlockResponse]) error {
	src := r.Source
	u, err := d.s.underStorage(src.UfsLocation)
	if err != nil {
		return err
	}
	length := src.BlockLength - r.Offset
	if r.Length >= 0 && r.Length < length {
		length = r.Length
	}
	if length < 0 {
		return errs.New(errs.ErrInvalidArg, "read of block %d at %d past its end %d", r.BlockId, r.Offset, src.BlockLength)
	}
	cache := r.ReadType != pb.ReadType_NO_CACHE
	whole := r.Offset == 0 && length == src.BlockLength
	var fill *cacheFiller
	if cache && whole {
		// No room is not an error for a read: it is served uncached.
		if tmp, err := d.s.store.CreateBlock(r.BlockId, src.BlockLength, ""); err == nil {
			fill = newCacheFiller(tmp, chunk, 4)
		}
	}
	defer func() {
		if fill != nil {
			fill.abort()
		}
	}()
	in, err := openUfs(ctx, u, src, src.BlockStart+r.Offset, length)
	if err != nil {
		return err
	}
	defer in.Close()
	plain := make([]byte, chunk)
	first := true
	for sent := int64(0); sent < length; {
		if err := g.live(); err != nil {
			return err
		}
		buf := plain
		if fill != nil {
			buf = fill.buffer()
		}
		n, err := io.ReadFull(in, buf[:min(int64(chunk), length-sent)])
		if n > 0 {
			d.s.metrics.ufsRead.Add(float64(n))
			// Send copies the chunk into its own frame before it
			// returns; the cache write of it then overlaps the next
			// read and send.
			if err := stream.Send(&pb.ReadBlockResponse{Chunk: buf[:n], FromUfs: first}); err != nil {
				if fill != nil {
					fill.putBack(buf)
				}
				return err
			}
			first = false
			sent += int64(n)
		}
		if fill != nil {
			if n > 0 {
				fill.write(buf[:n])
			} else {
				fill.putBack(buf)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if sent < length {
				return errs.New(errs.ErrCorrupt, "block %d: the under storage file %s ended %d bytes early",
					r.BlockId, src.UfsLocation.RelativePath, length-sent)
			}
			break
		}
		if err != nil {
			return err
		}
	}
	if fill != nil {
		meta, err := fill.commit()
		fill = nil
		if err == nil {
			d.s.verified.Store(meta.ID, true) // checksummed as it was written
			d.s.commitToMaster(ctx, meta)
		}
	} else if cache && !whole {
		d.s.cacheAsync(r.BlockId, src) // the whole block, in the background
	}
	return nil
}

// clientWrote does what follows a block a client wrote, whichever way: it
// is known good, kept from eviction until the master counts it, and
// reported.
func (s *Server) clientWrote(ctx context.Context, meta blockstore.BlockMeta) {
	s.verified.Store(meta.ID, true)
	s.protect.written(blockid.FileID(meta.ID))
	s.commitToMaster(ctx, meta)
}

func (s *Server) commitToMaster(ctx context.Context, meta blockstore.BlockMeta) {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	err := s.master.WithPrimary(ctx, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		_, err := pb.NewBlockMasterWorkerServiceClient(cc).CommitBlock(ctx, &pb.CommitBlockRequest{
			WorkerId: s.id.get(), BlockId: meta.ID, Length: meta.Length, Tier: meta.Tier})
		return err
	})
	if err != nil {
		// The next registration reports it anyway.
		s.log.Debug("commit block to master failed", "block", meta.ID, "err", err)
	}
}

func (d *dataService) CacheBlock(ctx context.Context, r *pb.CacheBlockRequest) (*pb.CacheBlockResponse, error) {
	if r.Source == nil {
		return nil, errs.New(errs.ErrInvalidArg, "cache block %d: no source", r.BlockId)
	}
	if err := d.allow(ctx, r.Capability, r.BlockId, blockcap.Read); err != nil {
		return nil, err
	}
	if j := d.s.cacheAsync(r.BlockId, r.Source); j != nil {
		if err := j.wait(ctx); err != nil {
			return nil, err
		}
	}
	return &pb.CacheBlockResponse{}, nil
}

// WriteBlock stores a block a client writes. Nothing is kept unless the
// client commits: a client that disappears mid-write leaves nothing behind.
func (d *dataService) WriteBlock(stream grpc.ClientStreamingServer[pb.WriteBlockRequest, pb.WriteBlockResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hdr := first.GetHeader()
	if hdr == nil {
		return errs.New(errs.ErrInvalidArg, "write stream must start with a header")
	}
	g, err := d.admit(stream.Context(), hdr.Capability, hdr.BlockId, blockcap.Write)
	if err != nil {
		return err
	}
	tmp, err := d.s.createBlock(stream.Context(), hdr.BlockId, hdr.SizeHint, hdr.Tier)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Abort()
		}
	}()
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return errs.New(errs.ErrInvalidArg, "write of block %d ended without commit", hdr.BlockId)
		}
		if err != nil {
			return err
		}
		if c, ok := req.Value.(*pb.WriteBlockRequest_Capability); ok {
			if err := g.renew(c.Capability); err != nil {
				return err
			}
			continue
		}
		if err := g.live(); err != nil {
			return err
		}
		switch v := req.Value.(type) {
		case *pb.WriteBlockRequest_Chunk:
			if err := d.s.withRoom(stream.Context(), func() error { _, err := tmp.Write(v.Chunk); return err }); err != nil {
				return err
			}
			d.s.metrics.cacheWritten.Add(float64(len(v.Chunk)))
		case *pb.WriteBlockRequest_Commit:
			meta, err := tmp.Commit()
			if err != nil {
				return err
			}
			committed = true
			d.s.clientWrote(stream.Context(), meta)
			return stream.SendAndClose(&pb.WriteBlockResponse{Length: meta.Length, Tier: meta.Tier})
		default:
			return errs.New(errs.ErrInvalidArg, "write of block %d: a second header", hdr.BlockId)
		}
	}
}

// WriteUfsFile writes a whole file into the under storage for a client
// (THROUGH and CACHE_THROUGH). The file appears at its path only on commit.
func (d *dataService) WriteUfsFile(stream grpc.ClientStreamingServer[pb.WriteUfsFileRequest, pb.WriteUfsFileResponse]) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hdr := first.GetHeader()
	if hdr == nil || hdr.UfsLocation == nil {
		return errs.New(errs.ErrInvalidArg, "under storage write must start with a header and a location")
	}
	if d.s.caps.Enabled() && hdr.StageFileId == 0 {
		return errs.New(errs.ErrPermission, "under storage write of %s: only a staged copy of a file the master let the caller write",
			hdr.UfsLocation.RelativePath)
	}
	g := &grant{d: d, ctx: stream.Context()} // a write of no file's copy: nothing expires
	if hdr.StageFileId != 0 {
		if g, err = d.admit(stream.Context(), hdr.Capability, blockid.New(hdr.StageFileId, 0), blockcap.Write); err != nil {
			return err
		}
	}
	u, err := d.s.underStorage(hdr.UfsLocation)
	if err != nil {
		return err
	}
	var w interface {
		io.Writer
		Cancel()
	}
	var commit func() ([]byte, error)
	if hdr.StageFileId != 0 {
		c, err := stageCopy(stream.Context(), u, hdr.UfsLocation.RelativePath, hdr.StageFileId, fileMode(hdr.Mode))
		if err != nil {
			return err
		}
		w, commit = c, c.Commit
	} else {
		uw, err := u.Create(stream.Context(), hdr.UfsLocation.RelativePath, underfs.CreateOptions{Perm: fileMode(hdr.Mode),
			CreateParents: true, Overwrite: hdr.Overwrite})
		if err != nil {
			return err
		}
		w, commit = cancelOnly{uw}, func() ([]byte, error) { return nil, uw.Close() }
	}
	var written int64
	done := false
	defer func() {
		if !done {
			w.Cancel()
		}
	}()
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return errs.New(errs.ErrInvalidArg, "under storage write of %s ended without commit", hdr.UfsLocation.RelativePath)
		}
		if err != nil {
			return err
		}
		if c, ok := req.Value.(*pb.WriteUfsFileRequest_Capability); ok {
			if hdr.StageFileId == 0 {
				return errs.New(errs.ErrInvalidArg, "under storage write of %s: a capability renewal for a write that had none", hdr.UfsLocation.RelativePath)
			}
			if err := g.renew(c.Capability); err != nil {
				return err
			}
			continue
		}
		if err := g.live(); err != nil {
			return err
		}
		switch v := req.Value.(type) {
		case *pb.WriteUfsFileRequest_Chunk:
			if _, err := w.Write(v.Chunk); err != nil {
				return err
			}
			written += int64(len(v.Chunk))
			d.s.metrics.ufsWritten.Add(float64(len(v.Chunk)))
		case *pb.WriteUfsFileRequest_Commit:
			done = true
			token, err := commit()
			if err != nil {
				return err
			}
			return stream.SendAndClose(&pb.WriteUfsFileResponse{Length: written, PublishToken: token})
		default:
			return errs.New(errs.ErrInvalidArg, "under storage write: a second header")
		}
	}
}

// OpenLocalBlock hands a local client the block file's path and keeps the
// block from eviction until the client ends the stream.
func (d *dataService) OpenLocalBlock(stream grpc.BidiStreamingServer[pb.OpenLocalBlockRequest, pb.OpenLocalBlockResponse]) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	if err := d.allow(stream.Context(), req.Capability, req.BlockId, blockcap.Read); err != nil {
		return err
	}
	h, err := d.openCached(req.BlockId, req.Promote)
	if err != nil {
		return err
	}
	defer h.Close()
	d.s.metrics.shortCircuit.Inc()
	if err := stream.Send(&pb.OpenLocalBlockResponse{Path: h.Path(), Length: h.Length()}); err != nil {
		return err
	}
	for {
		if _, err := stream.Recv(); err != nil {
			return nil
		}
	}
}

// fileMode keeps only permission bits from a client-supplied mode.
func fileMode(m uint32) os.FileMode { return os.FileMode(m) & os.ModePerm }

// openUfs opens length bytes of the under storage copy of a block's file
// at offset, reading ahead in parallel (underfs.OpenRange), and refuses a
// copy that is not the file the reader opened: a file deleted and written
// again at the same path (found by the chaos harness: a slow reader got
// the new file's bytes cut to the old length), or changed behind Alluxio's
// back. A reader that knows its copy's fingerprint (S3: the ETag its GETs
// are pinned to) is checked by it; otherwise a GetStatus follows the open,
// so the copy read is the one checked (or, replaced in between, one
// refused for nothing).
func openUfs(ctx context.Context, u underfs.UnderFileSystem, src *pb.UfsBlockSource, offset, length int64) (io.ReadCloser, error) {
	rel := src.UfsLocation.RelativePath
	in, err := underfs.OpenRange(ctx, u, rel, offset, length)
	if err != nil || (src.FileLength == 0 && src.UfsModMs == 0 && src.UfsFingerprint == "") {
		return in, err
	}
	if fp, ok := in.(underfs.Fingerprinted); ok && src.UfsFingerprint != "" && fp.Fingerprint() != "" {
		if fp.Fingerprint() != src.UfsFingerprint {
			in.Close()
			return nil, errs.New(errs.ErrNotFound, "under storage file %s is not the file being read (fingerprint %s, want %s): it was replaced or changed",
				rel, fp.Fingerprint(), src.UfsFingerprint)
		}
		return in, nil
	}
	st, err := u.GetStatus(ctx, rel)
	if err == nil && (st.Length != src.FileLength || (src.UfsFingerprint != "" && st.Fingerprint != "" && st.Fingerprint != src.UfsFingerprint) ||
		(src.UfsModMs != 0 && st.ModTime.UnixMilli() != src.UfsModMs)) {
		err = errs.New(errs.ErrNotFound, "under storage file %s is not the file being read (%d bytes, modified at %d ms; want %d, %d): it was replaced or changed",
			rel, st.Length, st.ModTime.UnixMilli(), src.FileLength, src.UfsModMs)
	}
	if err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// cancelOnly drops Cancel's error: a cancelled write is being abandoned.
type cancelOnly struct{ underfs.Writer }

func (c cancelOnly) Cancel() { c.Writer.Cancel() }
