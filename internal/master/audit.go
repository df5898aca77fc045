package master

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/audit"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
)

// auditedService is the gRPC service whose calls are metadata operations,
// the ones the audit log records.
const auditedService = "/alluxio.grpc.FileSystemMasterClientService/"

// auditCommands are Alluxio's names for the operations whose gRPC names
// differ; the others are the method's name with a lower-case first letter.
var auditCommands = map[string]string{"GetStatus": "getFileInfo", "Remove": "delete"}

// openAuditLog opens master_audit.log in the log folder (the working
// folder when none is set) for appending.
func openAuditLog(cfg *Config) (*os.File, error) {
	dir := cfg.LogDir
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("alluxio.master.audit.logging.enabled: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "master_audit.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("alluxio.master.audit.logging.enabled: %w", err)
	}
	return f, nil
}

// audited returns the command name of method when it is a metadata
// operation.
func audited(method string) (string, bool) {
	name, ok := strings.CutPrefix(method, auditedService)
	if !ok || name == "" {
		return "", false
	}
	if c, ok := auditCommands[name]; ok {
		return c, true
	}
	return strings.ToLower(name[:1]) + name[1:], true
}

// audit queues the entry of one finished call; req may be nil (a stream
// that failed before its request arrived) and resp nil (a failure, or a
// call whose answer carries no file).
func (s *Server) audit(ctx context.Context, cmd string, start time.Time, req, resp any, err error) {
	id, _ := security.FromContext(ctx)
	e := audit.Entry{Time: start, Succeeded: err == nil, Allowed: !denied(err), User: id.User, AuthType: string(id.AuthType),
		Addr: id.Addr, Cmd: cmd, Duration: s.now().Sub(start)}
	switch r := req.(type) {
	case interface{ GetSrc() string }:
		e.Src = r.GetSrc()
		if d, ok := req.(interface{ GetDst() string }); ok {
			e.Dst = d.GetDst()
		}
	case interface{ GetPath() string }:
		e.Src = r.GetPath()
	case interface{ GetAlluxioPath() string }:
		e.Src = r.GetAlluxioPath()
		if u, ok := req.(interface{ GetUfsPath() string }); ok {
			e.Dst = u.GetUfsPath()
		}
	}
	if fi, ok := resp.(interface{ GetFileInfo() *pb.FileInfo }); ok && fi.GetFileInfo() != nil {
		f := fi.GetFileInfo()
		e.Perm = &audit.Perm{Owner: f.GetOwner(), Group: f.GetGroup(), Mode: f.GetMode()}
	} else if err == nil && e.Src != "" {
		// What the operation left there: a renamed file is at Dst.
		at := e.Src
		if cmd == "rename" {
			at = e.Dst
		}
		if n, serr := s.st.Stat(at); serr == nil {
			e.Perm = &audit.Perm{Owner: n.Owner, Group: n.Group, Mode: n.Mode}
		}
	}
	s.auditLog.Append(e)
}

// denied reports whether err refuses a call for lack of permission (not a
// read-only mount, which refuses everyone).
func denied(err error) bool {
	return errors.Is(err, errs.ErrPermission) && !errors.Is(err, errs.ErrReadOnly)
}

// auditUnary records the metadata operations among unary calls.
func (s *Server) auditUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	cmd, ok := audited(info.FullMethod)
	if !ok {
		return h(ctx, req)
	}
	start := s.now()
	resp, err := h(ctx, req)
	s.audit(ctx, cmd, start, req, resp, err)
	return resp, err
}

// auditStream records the metadata operations among streams (listStatus),
// with the request the stream received.
func (s *Server) auditStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	cmd, ok := audited(info.FullMethod)
	if !ok {
		return h(srv, ss)
	}
	start := s.now()
	rs := &requestStream{ServerStream: ss}
	err := h(srv, rs)
	s.audit(ss.Context(), cmd, start, rs.req, nil, err)
	return err
}

// requestStream remembers the first message a server stream received.
type requestStream struct {
	grpc.ServerStream
	req any
}

func (r *requestStream) RecvMsg(m any) error {
	err := r.ServerStream.RecvMsg(m)
	if err == nil && r.req == nil {
		r.req = m
	}
	return err
}
