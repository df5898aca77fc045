package master

import "google.golang.org/protobuf/proto"

// withoutOpID clears a request's op_id, for a master whose retry cache is
// off (alluxio.master.filesystem.operation.retry.cache.enabled=false). The
// id travels in the journal entry, and an entry without one is neither
// answered from the replicated cache nor remembered in it, on every
// replica alike; so masters configured differently still apply entries
// identically, and only the primary's setting decides.
func withoutOpID(req any) {
	m, ok := req.(proto.Message)
	if !ok {
		return
	}
	r := m.ProtoReflect()
	if fd := r.Descriptor().Fields().ByName("op_id"); fd != nil {
		r.Clear(fd)
	}
}
