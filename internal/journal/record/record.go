// Package record frames journal and checkpoint records on disk: a length,
// a CRC-32C and the payload, so a reader can tell a clean end from a torn
// final write and from damage in the middle.
package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// A record on disk is: payload length (uint32 LE), masked CRC-32C of the
// payload (uint32 LE), payload. Checkpoints and journal segments share the
// framing.
const (
	headerSize = 8
	// MaxRecordSize bounds a record so a damaged length field cannot make a
	// reader allocate gigabytes.
	MaxRecordSize = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is the CRC-32C of payload, masked as LevelDB masks its CRCs. The
// CRC of an empty payload is 0, so unmasked an empty record would have a
// header of zeros and read as the zero-filled tail of a file; masked, no
// record has a zero header.
func checksum(payload []byte) uint32 {
	c := crc32.Checksum(payload, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// Intact reports whether data begins with a whole record whose checksum
// matches. Readers use it to look past a damaged record for good ones.
func Intact(data []byte) bool {
	if len(data) < headerSize {
		return false
	}
	size := binary.LittleEndian.Uint32(data[0:4])
	if size > MaxRecordSize || uint64(size) > uint64(len(data)-headerSize) {
		return false
	}
	return checksum(data[headerSize:headerSize+int(size)]) == binary.LittleEndian.Uint32(data[4:8])
}

// ErrTorn reports a record cut short by the end of the data: what a crash in
// the middle of a write leaves behind.
var ErrTorn = errors.New("torn record at end of data")

// CorruptError reports a record that is damaged: its checksum does not match,
// or its length is impossible.
type CorruptError struct {
	Offset int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt record at offset %d: %s", e.Offset, e.Reason)
}

// Append appends the framed payload to dst and returns the result.
func Append(dst, payload []byte) []byte {
	var h [headerSize]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:8], checksum(payload))
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// Reader reads framed records and keeps track of the offset of the
// next one, so errors can name where the damage is.
type Reader struct {
	r      *bufio.Reader
	offset int64
	buf    []byte
}

// NewReader reads records from r, whose first byte is at offset.
func NewReader(r io.Reader, offset int64) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 256<<10), offset: offset}
}

// Offset is the position just past the last record returned.
func (rr *Reader) Offset() int64 { return rr.offset }

// Next returns the next payload, valid until the following call. At a clean
// end it returns io.EOF; when the data ends inside a record it returns
// ErrTorn; a damaged record gives a *CorruptError.
func (rr *Reader) Next() ([]byte, error) {
	var h [headerSize]byte
	_, err := io.ReadFull(rr.r, h[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err == io.ErrUnexpectedEOF {
		return nil, ErrTorn
	}
	if err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(h[0:4])
	sum := binary.LittleEndian.Uint32(h[4:8])
	if size == 0 && sum == 0 {
		// A zero header is what a file extended but never written holds:
		// preallocated or torn space, not a record.
		return nil, rr.zeroTail()
	}
	if size > MaxRecordSize {
		return nil, &CorruptError{Offset: rr.offset, Reason: fmt.Sprintf("length %d exceeds %d", size, MaxRecordSize)}
	}
	if cap(rr.buf) < int(size) {
		rr.buf = make([]byte, size)
	}
	payload := rr.buf[:size]
	_, err = io.ReadFull(rr.r, payload)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return nil, ErrTorn
	}
	if err != nil {
		return nil, err
	}
	if checksum(payload) != sum {
		start := rr.offset
		// A bad checksum on the very last record is a torn write too: the
		// length made it to disk, the payload did not.
		if _, perr := rr.r.Peek(1); perr == io.EOF {
			return nil, ErrTorn
		}
		return nil, &CorruptError{Offset: start, Reason: "checksum mismatch"}
	}
	rr.offset += headerSize + int64(size)
	return payload, nil
}

// zeroTail accepts a run of zero bytes up to the end as a torn tail, and
// reports anything else after it as damage.
func (rr *Reader) zeroTail() error {
	start := rr.offset
	for {
		b, err := rr.r.ReadByte()
		if err == io.EOF {
			return ErrTorn
		}
		if err != nil {
			return err
		}
		if b != 0 {
			return &CorruptError{Offset: start, Reason: "zero-length record followed by data"}
		}
	}
}
