package s3

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// Bodies go with their CRC-32 (x-amz-checksum-crc32), which the store
// checks, and unsigned (UNSIGNED-PAYLOAD): the SHA-256 a signed body
// needs costs a pass over every byte on both sides, where CRC-32 costs
// little; it is what the SDK itself does over HTTPS. A store that is sent
// no checksum computes one of its own choice (versitygw a CRC-64 in
// software, which cost it more than the MD5 of the ETag). The upload is
// created with the algorithm, as S3 requires of parts that carry one.

// crc32Of is data's CRC-32 as S3's checksum headers carry it.
func crc32Of(data []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))
}

// crc32OfReader is crc32Of of what r holds, read from its start; r is left
// at its start, for the request to send.
func crc32OfReader(r io.ReadSeeker) (string, error) {
	h := crc32.NewIEEE()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// unsignedBody makes a call send UNSIGNED-PAYLOAD. It sets the payload
// hash before the checksum step, which would otherwise compute the
// SHA-256 along with the checksum.
func unsignedBody(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("UnsignedBody",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
			}), middleware.Before)
	})
}
