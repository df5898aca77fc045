package master

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// Backup writes a consistent copy of the metadata (alluxio fsadmin
// backup): the state's checkpoint, taken under its read lock, so it is
// one cut between two entries. It goes to a file named after the time in
// a directory of the root under storage (or of the primary's machine with
// local), and a new cluster starts from it with alluxio format
// -Dalluxio.master.journal.init.from.backup=<the file>.
func (m *metaService) Backup(ctx context.Context, r *pb.BackupRequest) (*pb.BackupResponse, error) {
	s := m.s
	if err := s.jr.CheckPrimary(ctx); err != nil {
		return nil, err
	}
	dir := r.Directory
	if dir == "" {
		dir = s.cfg.BackupDirectory
	}
	name := fmt.Sprintf("alluxio-backup-%s-%d.ckpt", s.now().UTC().Format("2006-01-02"), s.now().UnixMilli())
	resp := &pb.BackupResponse{Hostname: s.cfg.Hostname}
	write := func(w interface{ Write([]byte) (int, error) }) error {
		seq, err := s.st.WriteCheckpoint(w, s.now().UnixMilli())
		resp.Sequence = seq
		return err
	}
	if r.Local {
		if !filepath.IsAbs(dir) {
			return nil, errs.New(errs.ErrInvalidArg, "backup directory %q: a local directory must be an absolute path", dir)
		}
		path, err := writeLocalBackup(dir, name, write)
		if err != nil {
			return nil, err
		}
		resp.BackupUri = path
	} else {
		uri, err := s.writeUFSBackup(ctx, dir, name, write)
		if err != nil {
			return nil, err
		}
		resp.BackupUri = uri
	}
	resp.EntryCount = int64(s.st.InodeCount())
	s.log.Info("metadata backed up", "uri", resp.BackupUri, "sequence", resp.Sequence)
	return resp, nil
}

// writeLocalBackup writes the backup under a temporary name, syncs it and
// renames it, so a backup file that exists is whole.
func writeLocalBackup(dir, name string, write func(w interface{ Write([]byte) (int, error) }) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	final := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return final, os.Rename(tmp.Name(), final)
}

// writeUFSBackup writes the backup into dir: a URI of its own, or a path
// in the root under storage. The store is opened at its root and the file
// created with its parents, so the directory need not exist; the store
// shows the file whole or not at all (underfs.Writer.Close).
func (s *Server) writeUFSBackup(ctx context.Context, dir, name string, write func(w interface{ Write([]byte) (int, error) }) error) (string, error) {
	var root, rel string
	var props map[string]string
	if underfs.Scheme(dir) == "" {
		mp, _, err := s.st.Resolve("/")
		if err != nil {
			return "", errs.New(errs.ErrUnavailable, "the root under storage is not mounted yet")
		}
		root, rel, props = mp.UfsURI, path.Join(strings.TrimPrefix(dir, "/"), name), s.fs.ufs.properties(mp)
	} else {
		c, err := underfs.CanonicalURI(dir)
		if err != nil {
			return "", err
		}
		root, rel, props = c.Scheme+"://"+c.Authority+"/", path.Join(strings.TrimPrefix(c.Path, "/"), name), s.cfg.UFSProperties
	}
	u, err := underfs.OpenWithOptions(root, underfs.Options{Properties: props, Logger: s.log, TempDirs: s.cfg.TmpDirs})
	if err != nil {
		return "", err
	}
	defer u.Close()
	uri := joinUfs(root, rel)
	w, err := u.Create(ctx, rel, underfs.CreateOptions{CreateParents: true})
	if err != nil {
		return "", fmt.Errorf("backup to %s: %w", uri, err)
	}
	defer w.Cancel()
	if err := write(w); err != nil {
		return "", fmt.Errorf("backup to %s: %w", uri, err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("backup to %s: %w", uri, err)
	}
	return uri, nil
}
