package client

import "os"

// LocalRange offers n bytes of the file at off as a range of a block file
// of a worker on this host, for a caller that can use a descriptor
// instead of bytes (FUSE splices it into the kernel without copying the
// data through this process). It returns the file, where the bytes start in
// it, and release, which the caller must call once it no longer uses the
// file: the worker keeps the block from eviction until then. ok is false
// when the bytes cannot be read that way (short-circuit reads are off, the
// range crosses a block boundary or the file's end, no worker here holds
// the block); ReadAt reads them then.
func (r *FileReader) LocalRange(off int64, n int) (f *os.File, fileOff int64, release func(), ok bool) {
	if r.closed.Load() || r.f.cfg.NoShortCircuit || off < 0 || n <= 0 || off+int64(n) > r.length {
		return nil, 0, nil, false
	}
	b := r.block(off)
	in := off - b.start
	if in+int64(n) > b.length {
		return nil, 0, nil, false
	}
	for _, l := range b.locs {
		addr := l.Address()
		if !r.f.isLocal(l.Host) || r.isBad(addr) {
			continue
		}
		lf, err := r.local.acquire(addr, b.id, func() (*localFile, error) { return r.openLocalFile(addr, b) })
		if err != nil {
			r.noteFailure(addr, err)
			continue
		}
		if lf.length < b.length {
			// Shorter than the master says: never hand out a range
			// past its end; ReadAt reports the damage.
			r.local.release(lf, true)
			continue
		}
		return lf.file, in, func() { r.local.release(lf, false) }, true
	}
	return nil, 0, nil, false
}
