package proxy

import (
	"net/http"
	"slices"
)

// Storage classes and server-side encryption. Every object is kept one
// way: in Alluxio's cache and its under storage, unencrypted by this
// proxy. A write that asks for another storage class or for encryption at
// rest is refused with NotImplemented naming what it asked, so that no
// client believes its data is archived or encrypted when it is not; a
// storage class AWS does not know is InvalidStorageClass, as on AWS.

// storageClasses are the classes AWS knows; only STANDARD is kept here.
var storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE"}

// sseHeaders ask for encryption at rest: by the store's keys (SSE-S3),
// a KMS key (SSE-KMS) or the client's own key (SSE-C).
var sseHeaders = []string{"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
	"X-Amz-Server-Side-Encryption-Context", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"}

// sseCustomerHeaders carry a client's key (SSE-C), on writes and on the
// reads of what was written with one.
var sseCustomerHeaders = []string{"X-Amz-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Server-Side-Encryption-Customer-Key", "X-Amz-Server-Side-Encryption-Customer-Key-Md5",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5"}

// checkStorageHeaders checks what a write (PutObject, CopyObject,
// CreateMultipartUpload, UploadPart, UploadPartCopy) asks about how its
// object is stored.
func checkStorageHeaders(h http.Header) *s3Error {
	switch c := h.Get("X-Amz-Storage-Class"); {
	case c == "" || c == "STANDARD":
	case slices.Contains(storageClasses, c):
		return errNotImplemented("the storage class %s is not supported: every object is stored as STANDARD here", c)
	default:
		return newErr("InvalidStorageClass", 400, "the storage class %q is not valid", c)
	}
	for _, name := range sseHeaders {
		if v := h.Get(name); v != "" {
			return errNotImplemented("server-side encryption (%s: %s) is not supported: this proxy does not encrypt objects at rest", name, v)
		}
	}
	return checkCustomerKeyHeaders(h)
}

// checkCustomerKeyHeaders refuses a client's encryption key: on a write
// it would not be used, and no object here was written with one, so a
// read naming one would be answered with bytes the key never protected.
func checkCustomerKeyHeaders(h http.Header) *s3Error {
	for _, name := range sseCustomerHeaders {
		if h.Get(name) != "" {
			return errNotImplemented("server-side encryption with a customer key (%s) is not supported: no object here is encrypted with one", name)
		}
	}
	return nil
}
