package client

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// A block stream's answers (ReadBlockResponse) are decoded into a
// blockChunk whose buffer is used again for each answer: the chunk is
// copied once, from the frames gRPC received into that buffer. The proto
// codec would copy the frames into one buffer first, then the chunk out
// of it into a slice it allocates for every answer (a MiB each), which
// made decoding the largest cost of a streamed read on the client.

// chunkCodec is the codec of ReadBlock calls: requests, and answers into
// anything but a blockChunk, go through the proto codec. Its name is the
// proto codec's, so the worker sees an ordinary call.
type chunkCodec struct{}

var protoCodec = encoding.GetCodecV2(proto.Name)

func (chunkCodec) Name() string { return proto.Name }

func (chunkCodec) Marshal(v any) (mem.BufferSlice, error) { return protoCodec.Marshal(v) }

func (chunkCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if c, ok := v.(*blockChunk); ok {
		return c.decode(data)
	}
	return protoCodec.Unmarshal(data, v)
}

// chunkCall is the call option that decodes a ReadBlock stream's answers
// with chunkCodec.
var chunkCall = grpc.ForceCodecV2(chunkCodec{})

// blockChunk is a decoded ReadBlockResponse (api/alluxiopb/worker.proto:
// bytes chunk = 1; bool from_ufs = 2). chunk is valid until the next
// decode.
type blockChunk struct {
	chunk   []byte
	fromUfs bool
	buf     []byte
}

// The field numbers of ReadBlockResponse.
const (
	chunkField   = 1
	fromUfsField = 2
)

// decode reads a ReadBlockResponse as the proto codec would (the last of
// a repeated field wins, unknown fields are skipped), except that groups,
// which the message never had, are refused.
func (c *blockChunk) decode(data mem.BufferSlice) error {
	r := data.Reader()
	defer r.Close()
	c.chunk, c.fromUfs = nil, false
	for r.Remaining() > 0 {
		key, err := binary.ReadUvarint(r)
		if err != nil {
			return chunkErr("field key", err)
		}
		num, typ := protowire.DecodeTag(key)
		if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
			return fmt.Errorf("block stream answer: field number %d", num)
		}
		switch {
		case num == chunkField && typ == protowire.BytesType:
			n, err := length(r)
			if err != nil {
				return err
			}
			if uint64(cap(c.buf)) < n {
				c.buf = make([]byte, n)
			}
			c.chunk = c.buf[:n]
			if _, err := io.ReadFull(r, c.chunk); err != nil {
				return chunkErr("chunk", err)
			}
		case num == fromUfsField && typ == protowire.VarintType:
			v, err := binary.ReadUvarint(r)
			if err != nil {
				return chunkErr("from_ufs", err)
			}
			c.fromUfs = v != 0
		default:
			if err := skipField(r, typ); err != nil {
				return err
			}
		}
	}
	return nil
}

// length reads a length prefix, which must fit in what is left.
func length(r *mem.Reader) (uint64, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return 0, chunkErr("length", err)
	}
	if n > uint64(r.Remaining()) {
		return 0, fmt.Errorf("block stream answer: a field of %d bytes in the %d left", n, r.Remaining())
	}
	return n, nil
}

// skipField skips the value of an unknown field of wire type typ.
func skipField(r *mem.Reader, typ protowire.Type) error {
	var n uint64
	switch typ {
	case protowire.VarintType:
		_, err := binary.ReadUvarint(r)
		return chunkErr("unknown field", err)
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	case protowire.BytesType:
		var err error
		if n, err = length(r); err != nil {
			return err
		}
	default:
		return fmt.Errorf("block stream answer: wire type %d", typ)
	}
	if k, _ := r.Discard(int(n)); uint64(k) != n {
		return chunkErr("unknown field", io.ErrUnexpectedEOF)
	}
	return nil
}

func chunkErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("block stream answer: %s: %w", what, err)
}
