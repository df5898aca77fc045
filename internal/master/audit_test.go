package master

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/security"
)

// TestAuditLog: with alluxio.master.audit.logging.enabled, every metadata
// call through the rpc port is one line of master_audit.log in Alluxio's
// format, with the caller's user, address and the inode's permission; a
// call refused for lack of permission is logged allowed=false, and calls
// that are not metadata operations are not logged.
func TestAuditLog(t *testing.T) {
	logDir := t.TempDir()
	m := newTestMaster(t, func(c *Config) { c.AuditLog, c.AuditQueue, c.LogDir = true, 100, logDir })
	// bob makes his directory in "/", which the superuser opens to all
	// (the master's own call: not through the rpc port, so not audited).
	all := uint32(0o777)
	if err := m.fs.setAttribute(context.Background(), &pb.SetAttributeRequest{Path: "/", OpId: opID(), Mode: &all}); err != nil {
		t.Fatal(err)
	}
	fs, err := client.New(client.Config{Masters: []string{m.RPCAddr().String()}, User: "bob", RetryMaxDuration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	ctx := context.Background()
	if _, err := fs.CreateDirectory(ctx, "/a", client.CreateDirectoryOptions{Mode: 0o750}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Rename(ctx, "/a", "/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ListStatus(ctx, "/b", false, client.StatusOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.GetStatus(ctx, "/missing", client.StatusOptions{}); err == nil {
		t.Fatal("stat of a missing path succeeded")
	}
	if err := fs.Delete(ctx, "/b", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.MasterInfo(ctx); err != nil { // not a metadata operation
		t.Fatal(err)
	}
	// A refusal for lack of permission, as the permission checks make it.
	denyCtx := security.NewContext(ctx, security.Identity{User: "eve", AuthType: security.Simple, Addr: "127.0.0.1:4242"})
	_, err = m.auditUnary(denyCtx, &pb.DeleteRequest{Path: "/secret"},
		&grpc.UnaryServerInfo{FullMethod: pb.FileSystemMasterClientService_Remove_FullMethodName},
		func(context.Context, any) (any, error) {
			return nil, errs.New(errs.ErrPermission, "Permission denied: user=eve, access=-w-, path=/secret")
		})
	if err == nil {
		t.Fatal("the refusal was lost")
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(logDir, "master_audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO  AUDIT_LOG: `
	bob := `succeeded=true\tallowed=true\tugi=bob,[^ \t]* \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:\d+\t`
	want := []string{
		bob + `cmd=createDirectory\tsrc=/a\tdst=null\tperm=bob:[^:\t]*:rwxr-x---\texecutionTimeUs=\d+$`,
		bob + `cmd=rename\tsrc=/a\tdst=/b\tperm=bob:[^:\t]*:rwxr-x---\texecutionTimeUs=\d+$`,
		bob + `cmd=listStatus\tsrc=/b\tdst=null\tperm=bob:[^:\t]*:rwxr-x---\texecutionTimeUs=\d+$`,
		`succeeded=false\tallowed=true\tugi=bob,[^ \t]* \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:\d+\tcmd=getFileInfo\tsrc=/missing\tdst=null\tperm=null\texecutionTimeUs=\d+$`,
		bob + `cmd=delete\tsrc=/b\tdst=null\tperm=null\texecutionTimeUs=\d+$`,
		`succeeded=false\tallowed=false\tugi=eve,[^ \t]* \(AUTH=SIMPLE\)\tip=/127\.0\.0\.1:4242\tcmd=delete\tsrc=/secret\tdst=null\tperm=null\texecutionTimeUs=\d+$`,
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d audit lines, want %d:\n%s", len(lines), len(want), data)
	}
	for i, l := range lines {
		if !regexp.MustCompile(prefix + want[i]).MatchString(l) {
			t.Errorf("line %d\n%q\ndoes not match\n%q", i, l, want[i])
		}
	}
}
