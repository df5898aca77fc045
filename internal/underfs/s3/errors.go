package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/alluxio-go/alluxio/internal/errs"
)

// classify maps an error of the SDK to the errs sentinel callers test for,
// with words an operator can act on. Secrets never appear: the SDK's
// errors carry the access key id at most, never the secret.
func classify(err error) (sentinel error, detail string) {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var readStall *awshttp.ResponseTimeoutError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &readStall):
		// A response that stopped coming, or a request body the server
		// stopped taking (its answer did not come either).
		return errs.ErrUnavailable, fmt.Sprintf("the endpoint sent nothing for %s (%s)", readStall.TimeoutDur, KeySocketTimeout)
	case errors.As(err, &timeout) && timeout.Timeout():
		// Before the answer's headers (alluxio.underfs.s3.request.timeout)
		// or while connecting.
		return errs.ErrUnavailable, "the endpoint did not answer in time: " + innermost(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errs.ErrUnavailable, "cannot reach the endpoint: connection refused"
	case errors.As(err, &dnsErr):
		return errs.ErrUnavailable, "cannot resolve the endpoint's host: " + dnsErr.Error()
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return errs.ErrUnavailable, "the connection to the endpoint broke"
	case errors.As(err, &opErr):
		return errs.ErrUnavailable, "cannot reach the endpoint: " + opErr.Err.Error()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch code {
		case "NoSuchKey", "NotFound", "NoSuchUpload":
			return errs.ErrNotFound, ""
		case "NoSuchBucket":
			return errs.ErrNotFound, "the bucket does not exist"
		case "InvalidAccessKeyId", "XAdminUserNotFound": // the second is versitygw's
			return errs.ErrPermission, "the access key id is not known to the store (check s3a.accessKeyId)"
		case "SignatureDoesNotMatch":
			return errs.ErrPermission, "the request signature does not match (check s3a.secretKey)"
		case "AccessDenied", "Forbidden", "AllAccessDisabled", "InvalidObjectState":
			if api.ErrorMessage() == "" || api.ErrorMessage() == code {
				// A HEAD's answer has no body to say more.
				return errs.ErrPermission, "access denied (check s3a.accessKeyId and s3a.secretKey, and the bucket's policy)"
			}
			return errs.ErrPermission, "access denied: " + api.ErrorMessage()
		case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
			return errs.ErrPermission, "the credentials expired or are invalid: " + code
		case "PreconditionFailed", "ConditionalRequestConflict":
			return errs.ErrAlreadyExists, ""
		case "EntityTooLarge", "EntityTooSmall", "InvalidPart", "InvalidPartOrder", "InvalidArgument", "InvalidRange":
			return errs.ErrInvalidArg, code + ": " + api.ErrorMessage()
		case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed":
			return errs.ErrUnavailable, code + ": " + api.ErrorMessage()
		case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
			return errs.ErrInvalidArg, "wrong region or endpoint for the bucket: " + api.ErrorMessage()
		}
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			if kind, msg, ok := kindOfStatus(re.HTTPStatusCode(), code); ok {
				return kind, msg
			}
		}
		return errs.ErrInternal, code + ": " + api.ErrorMessage()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if kind, msg, ok := kindOfStatus(re.HTTPStatusCode(), ""); ok {
			return kind, msg
		}
		return errs.ErrInternal, fmt.Sprintf("HTTP %d", re.HTTPStatusCode())
	}
	return errs.ErrUnavailable, err.Error()
}

// innermost is the message of the error at the bottom of err's chain,
// without the SDK's layers of operation names around it.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// kindOfStatus maps an HTTP status whose error code (empty when the answer
// had no body, as a HEAD's) said nothing we know; ok is false for a status
// that says nothing either.
func kindOfStatus(status int, code string) (kind error, msg string, ok bool) {
	switch {
	case status == 404:
		return errs.ErrNotFound, "", true
	case status == 403:
		return errs.ErrPermission, "access denied (wrong keys, or no permission on the bucket)", true
	case status == 412:
		return errs.ErrAlreadyExists, "", true
	case status == 301 || status == 400 && code == "":
		return errs.ErrInvalidArg, fmt.Sprintf("HTTP %d: wrong region or endpoint for the bucket?", status), true
	case status >= 500:
		return errs.ErrUnavailable, strings.TrimSpace(fmt.Sprintf("HTTP %d %s", status, code)), true
	}
	return nil, "", false
}

// fail wraps a sentinel with the operation, the path and the store, so an
// operator with many mounts can tell which one failed.
func (fs *FS) fail(sentinel error, op, p, detail string) error {
	if detail == "" {
		return errs.New(sentinel, "%s %q in %s (%s)", op, p, fs.uri, fs.cfg.where())
	}
	return errs.New(sentinel, "%s %q in %s (%s): %s", op, p, fs.uri, fs.cfg.where(), detail)
}

// sdkErr converts an error of the SDK for path p. A cancelled or expired
// context stays reachable with errors.Is.
func (fs *FS) sdkErr(ctx context.Context, op, p string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fs.ctxErr(op, p, cerr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fs.ctxErr(op, p, err)
	}
	sentinel, detail := classify(err)
	return fs.fail(sentinel, op, p, detail)
}

// ctxErr is an operation ended by its context: reachable with errors.Is,
// and naming the store like fail does.
func (fs *FS) ctxErr(op, p string, err error) error {
	return fmt.Errorf("%s %q in %s (%s): %w", op, p, fs.uri, fs.cfg.where(), err)
}

// isMissing reports whether err says the object or upload is not there.
// A missing bucket is not "missing": it is the mount's error, not the
// path's.
func isMissing(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket" {
		return false
	}
	s, _ := classify(err)
	return s == errs.ErrNotFound
}
