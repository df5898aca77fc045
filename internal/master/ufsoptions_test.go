package master

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal/ufsjournal"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// secretKey is the option the "needopt" store cannot be opened without,
// as an object store needs its credentials.
const secretKey = "alluxio.underfs.test.secret"

func init() {
	underfs.Register("needopt", func(uri string, opts underfs.Options) (underfs.UnderFileSystem, error) {
		if opts.Properties[secretKey] != "s3cr3t" {
			return nil, errs.New(errs.ErrPermission, "needopt store %s: %s is required", uri, secretKey)
		}
		return memStore(uri), nil
	})
}

func ufsConfig(t *testing.T, props map[string]string) func(*Config) {
	p := conf.New()
	for k, v := range props {
		p.Set(k, v)
	}
	c, err := ConfigFromProperties(p)
	if err != nil {
		t.Fatal(err)
	}
	uri := "needopt://" + strings.ReplaceAll(t.Name(), "/", "-")
	return func(cfg *Config) {
		cfg.RootUFS, cfg.UFSProperties, cfg.RootUFSOptions = uri, c.UFSProperties, c.RootUFSOptions
	}
}

// TestMasterOpensUnderStorageWithTheMountOptions (issue 10.10): the root
// mount takes its options from the master's configuration (the store's
// own keys, or alluxio.master.mount.table.root.option.*), a mount from
// its --option flags; every under storage the master opens gets them, and
// workers get them by the mount's id (a file's location, which clients
// see, shows credentials masked). A URI that is not a local path is never
// created as a local directory.
func TestMasterOpensUnderStorageWithTheMountOptions(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, props := range map[string]map[string]string{
		"store key":   {secretKey: "s3cr3t"},
		"root option": {conf.RootUFSOptionPrefix + secretKey: "s3cr3t"},
	} {
		t.Run(name, func(t *testing.T) {
			m := newTestMaster(t, ufsConfig(t, props))
			m.store = memStore(m.cfg.RootUFS)
			fi := m.write(t, "/f", []byte("x"))
			if got := fi.UfsLocation.MountProperties[secretKey]; got != underfs.Masked {
				t.Fatalf("clients see the credential: %v", fi.UfsLocation.MountProperties)
			}
			resp, err := (&blockWorkerService{s: m.Server}).GetMountOptions(t.Context(), &pb.GetMountOptionsRequest{MountId: fi.UfsLocation.MountId})
			if err != nil || resp.Properties[secretKey] != "s3cr3t" || resp.UfsUri != fi.UfsLocation.MountUri {
				t.Fatalf("workers are not given the option: %v, %v", resp, err)
			}
			if got := m.store.read(t, "f"); string(got) != "x" {
				t.Fatalf("published %q", got)
			}
		})
	}
	if _, err := os.Stat("needopt:"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a directory was made for a URI that is not local: %v", err)
	}
	if k, ok := conf.Lookup(conf.RootUFSOptionPrefix + secretKey); !ok || k.Type != conf.TypeString {
		t.Fatal("root mount options are unknown keys to the configuration")
	}
}

func TestRootUnderStorageWithoutItsOptionsStopsTheMaster(t *testing.T) {
	cfg := testConfig(t.TempDir(), "")
	ufsConfig(t, nil)(cfg)
	if err := ufsjournal.Format(cfg.JournalFolder); err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	select {
	case err := <-s.Fatal():
		if !strings.Contains(err.Error(), secretKey) {
			t.Fatalf("the master stopped with %v, which does not name the option", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the master did not stop")
	}
}

func TestMountPassesItsOptions(t *testing.T) {
	m := newTestMaster(t, nil)
	ctx := context.Background()
	uri := "needopt://mount-" + t.Name()
	err := m.fs.mount(ctx, &pb.MountRequest{AlluxioPath: "/m", UfsPath: uri, OpId: opID()})
	if !errors.Is(err, errs.ErrPermission) || !strings.Contains(err.Error(), secretKey) {
		t.Fatalf("mount without the option: %v", err)
	}
	if err := m.fs.mount(ctx, &pb.MountRequest{AlluxioPath: "/m", UfsPath: uri, OpId: opID(),
		Properties: map[string]string{secretKey: "s3cr3t"}}); err != nil {
		t.Fatal(err)
	}
	m.mkdir(t, "/m/d", "CACHE_THROUGH")
	if st, err := memStore(uri).GetStatus(ctx, "d"); err != nil || !st.IsDir {
		t.Fatalf("mkdir in the mounted store: %v %v", st, err)
	}
}
