package errs

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const domain = "alluxio"

// ToStatus converts err into a gRPC status error that carries the sentinel's
// stable name, so FromStatus on the far side restores it. leader, when not
// empty, tells a client that reached a standby where the primary is.
func ToStatus(err error, leader string) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !isOurs(err) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return status.Error(codes.Canceled, err.Error())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	name, code := "INTERNAL", codes.Internal
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			name, code = k.name, k.code
			break
		}
	}
	st := status.New(code, Message(err))
	info := &errdetails.ErrorInfo{Reason: name, Domain: domain}
	if leader != "" {
		info.Metadata = map[string]string{"leader": leader}
	}
	if withInfo, derr := st.WithDetails(info); derr == nil {
		st = withInfo
	}
	return st.Err()
}

func isOurs(err error) bool {
	var w *wrapped
	return errors.As(err, &w) || Code(err) != "INTERNAL" || errors.Is(err, ErrInternal)
}

// FromStatus turns a gRPC error back into a domain error: one of ours keeps
// its sentinel; transport failures (no connection, deadline) become
// ErrUnavailable. The second result is the leader hint, if any.
func FromStatus(err error) (error, string) {
	if err == nil {
		return nil, ""
	}
	st, ok := status.FromError(err)
	if !ok {
		return err, ""
	}
	if info := ourInfo(st); info != nil {
		return FromCode(info.Reason, st.Message()), info.Metadata["leader"]
	}
	switch st.Code() {
	case codes.Unavailable:
		if i := strings.Index(st.Message(), TLSRefused); i >= 0 {
			return New(ErrUnauthenticated, "%s", st.Message()[i:]), ""
		}
		return New(ErrUnavailable, "%s", st.Message()), ""
	case codes.DeadlineExceeded:
		return New(ErrUnavailable, "deadline exceeded: %s", st.Message()), ""
	case codes.Canceled:
		return context.Canceled, ""
	case codes.NotFound:
		return New(ErrNotFound, "%s", st.Message()), ""
	case codes.InvalidArgument:
		return New(ErrInvalidArg, "%s", st.Message()), ""
	case codes.Unauthenticated:
		return New(ErrUnauthenticated, "%s", st.Message()), ""
	case codes.PermissionDenied:
		return New(ErrPermission, "%s", st.Message()), ""
	case codes.Unimplemented:
		return New(ErrInvalidArg, "not supported by the server: %s", st.Message()), ""
	}
	return New(ErrInternal, "%s: %s", st.Code(), st.Message()), ""
}

// Answered reports whether err is a status one of our servers sent (it
// carries the sentinel's name), as opposed to a failure to reach a server.
func Answered(err error) bool {
	st, ok := status.FromError(err)
	return ok && ourInfo(st) != nil
}

// ourInfo is the ErrorInfo ToStatus put in st; nil when there is none.
func ourInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.Domain == domain {
			return info
		}
	}
	return nil
}

// TLSRefused starts the error a client's TLS handshake fails with when the
// server refused the client's certificate or the client the server's
// (internal/security). gRPC carries that error only as the text of an
// Unavailable status, which FromStatus turns back into ErrUnauthenticated
// by this marker: retrying would not change the certificates.
const TLSRefused = "TLS handshake refused"
