package client

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// split cuts b into a BufferSlice of pieces of at most k bytes, as gRPC
// hands a message over in the frames it came in.
func split(b []byte, k int) mem.BufferSlice {
	var s mem.BufferSlice
	for len(b) > 0 {
		n := min(k, len(b))
		s = append(s, mem.SliceBuffer(b[:n]))
		b = b[n:]
	}
	return s
}

// checkLikeProto: what blockChunk decodes, the proto codec decodes the
// same; what it refuses is malformed or uses a group.
func checkLikeProto(t *testing.T, wire []byte, k int, c *blockChunk) {
	t.Helper()
	err := c.decode(split(wire, k))
	var want pb.ReadBlockResponse
	perr := proto.Unmarshal(wire, &want)
	if err == nil {
		if perr != nil {
			t.Fatalf("decoded %x, which proto refuses (%v)", wire, perr)
		}
		if !bytes.Equal(c.chunk, want.Chunk) || c.fromUfs != want.FromUfs {
			t.Fatalf("decoded %x as %d bytes, from_ufs %v; proto: %d bytes, %v", wire, len(c.chunk), c.fromUfs, len(want.Chunk), want.FromUfs)
		}
	} else if perr == nil && !hasGroup(wire) {
		t.Fatalf("refused %x (%v), which proto decodes", wire, err)
	}
}

// hasGroup says whether wire, valid protobuf, has a group field.
func hasGroup(wire []byte) bool {
	for len(wire) > 0 {
		_, typ, n := protowire.ConsumeField(wire)
		if n < 0 {
			return false
		}
		if typ == protowire.StartGroupType {
			return true
		}
		wire = wire[n:]
	}
	return false
}

func TestBlockChunkDecodesAsProtoDoes(t *testing.T) {
	var c blockChunk
	big := bytes.Repeat([]byte("0123456789abcdef"), 70000)
	for _, m := range []*pb.ReadBlockResponse{{}, {FromUfs: true}, {Chunk: []byte("x")}, {Chunk: big, FromUfs: true}, {Chunk: big[:1000]}} {
		wire, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 7, 16 << 10, len(wire) + 1} {
			checkLikeProto(t, wire, k, &c)
		}
	}
	// The buffer is used again: a smaller chunk after a big one.
	checkLikeProto(t, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte("small")), 3, &c)
	unknown := protowire.AppendTag(nil, 9, protowire.Fixed64Type)
	unknown = protowire.AppendFixed64(unknown, 1)
	unknown = protowire.AppendTag(unknown, 1, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, []byte("first"))
	unknown = protowire.AppendTag(unknown, 10, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, []byte("skipped"))
	unknown = protowire.AppendTag(unknown, 1, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, []byte("last wins"))
	unknown = protowire.AppendTag(unknown, 2, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 300)
	checkLikeProto(t, unknown, 2, &c)
	if string(c.chunk) != "last wins" || !c.fromUfs {
		t.Fatalf("decoded %q, %v", c.chunk, c.fromUfs)
	}
	for _, bad := range [][]byte{{0x0a}, {0x0a, 0x05, 'a'}, {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, {0x00}, {0x0b}, {0x10}} {
		if err := c.decode(split(bad, 1)); err == nil {
			t.Errorf("decoded the malformed %x", bad)
		}
		checkLikeProto(t, bad, 1, &c)
	}
}

// FuzzBlockChunk: whatever a worker (or anything posing as one) sends,
// decoding neither panics nor differs from the proto codec.
func FuzzBlockChunk(f *testing.F) {
	for _, m := range []*pb.ReadBlockResponse{{}, {Chunk: []byte("abc"), FromUfs: true}} {
		wire, _ := proto.Marshal(m)
		f.Add(wire, uint8(1))
	}
	f.Add([]byte{0x0a, 0x80, 0x80, 0x04}, uint8(2))
	var c blockChunk
	f.Fuzz(func(t *testing.T, wire []byte, k uint8) {
		checkLikeProto(t, wire, int(k)+1, &c)
	})
}
