package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/errs"
)

// FileInfo describes a file or directory as the master knows it.
type FileInfo struct {
	ID        int64
	Name      string
	Path      string
	UfsPath   string
	Length    int64
	BlockSize int64
	Created   time.Time
	Modified  time.Time
	// Changed is the last change of content, attributes or place
	// (POSIX's ctime), never before Modified.
	Changed          time.Time
	Completed        bool
	IsDir            bool
	Pinned           bool
	Persisted        bool
	PersistenceState string
	BlockIDs         []int64
	TTL              time.Duration // < 0: none
	TTLAction        string        // FREE, DELETE, DELETE_ALLUXIO
	Owner, Group     string
	Mode             os.FileMode // permission bits
	MountPoint       bool
	InAlluxioPercent int
	InMemoryPercent  int
	// Blocks say where each block is cached; UfsLocation where the file
	// lives in its under storage (nil when unknown).
	Blocks      []BlockInfo
	UfsLocation *UfsLocation
	// UfsPending names the under storage change of this path that is
	// committed and not carried out yet ("PUBLISH", "DELETE"...; "" when
	// none); UfsError why the last one failed for good ("" when none did).
	UfsPending, UfsError string
	// Xattr are the file's extended attributes (read only: change them
	// with SetAttribute or at CompleteFile).
	Xattr map[string][]byte
	// ACL lists the file's ACL as getfacl prints it ("user::rwx",
	// "user:bob:r--", "default:group::r-x"); empty when the file has
	// only its mode.
	ACL []string
	// ufsModMs is the under storage copy's modification time when Alluxio
	// published it (0 when unknown); ufsFingerprint its fingerprint ("").
	ufsModMs       int64
	ufsFingerprint string
	// capability is the master's permission to read (or, from CreateFile,
	// write) the file's blocks on workers; nil when none was given. It
	// came at capabilityAt (renewDue).
	capability   *pb.BlockCapability
	capabilityAt time.Time
}

// UfsModMs is the under storage copy's modification time (ms) recorded when
// Alluxio published it (0 when unknown): with the length, what a worker
// checks the copy by before serving its bytes as this file's.
func (i *FileInfo) UfsModMs() int64 { return i.ufsModMs }

// UfsFingerprint is the under storage copy's fingerprint recorded when
// Alluxio published it (its ETag on S3; "" when the store has none): what
// a worker checks the copy by before its length and modification time.
func (i *FileInfo) UfsFingerprint() string { return i.ufsFingerprint }

// ufsSource says where a worker finds block b of the file in the under
// storage, and what the copy must still be for its bytes to be this
// file's; nil when the file is not there.
func (i *FileInfo) ufsSource(b blockRef) *pb.UfsBlockSource {
	if !i.Persisted || i.UfsLocation == nil {
		return nil
	}
	return &pb.UfsBlockSource{UfsLocation: i.UfsLocation.toPB(), BlockStart: b.start, BlockLength: b.length,
		FileLength: i.Length, UfsModMs: i.ufsModMs, UfsFingerprint: i.ufsFingerprint}
}

func fromPB(p *pb.FileInfo) *FileInfo {
	ttl := time.Duration(p.Ttl) * time.Millisecond
	if p.Ttl <= 0 {
		ttl = -1
	}
	return &FileInfo{
		ID: p.FileId, Name: p.Name, Path: p.Path, UfsPath: p.UfsPath, Length: p.Length, BlockSize: p.BlockSizeBytes,
		Created: time.UnixMilli(p.CreationTimeMs), Modified: time.UnixMilli(p.LastModificationTimeMs),
		Changed:   time.UnixMilli(max(p.LastChangeTimeMs, p.LastModificationTimeMs)),
		Completed: p.Completed, IsDir: p.Folder, Pinned: p.Pinned, Persisted: p.Persisted,
		PersistenceState: p.PersistenceState, BlockIDs: p.BlockIds, TTL: ttl, TTLAction: p.TtlAction.String(),
		Owner: p.Owner, Group: p.Group, Mode: os.FileMode(p.Mode), MountPoint: p.MountPoint,
		InAlluxioPercent: int(p.InAlluxioPercentage), InMemoryPercent: int(p.InMemoryPercentage),
		Blocks: blocksFromPB(p.FileBlockInfos), UfsLocation: ufsLocationFromPB(p.UfsLocation), ufsModMs: p.UfsModMs,
		Xattr: p.Xattr, UfsPending: p.UfsPending, UfsError: p.UfsError,
		ufsFingerprint: p.UfsFingerprint, ACL: p.Acl, capability: p.Capability, capabilityAt: time.Now(),
	}
}

// StatusOptions control metadata sync for GetStatus and ListStatus.
type StatusOptions struct {
	// SyncInterval: compare with the under storage when the last comparison
	// is older than this; 0 every time; nil: the configured default.
	SyncInterval *time.Duration
	// LoadType: NEVER, ONCE or ALWAYS; "" the master default.
	LoadType string
}

func (f *FileSystem) common(o StatusOptions) *pb.FileSystemMasterCommonOptions {
	c := &pb.FileSystemMasterCommonOptions{}
	si := o.SyncInterval
	if si == nil {
		si = f.cfg.SyncInterval
	}
	if si != nil {
		c.HasSyncInterval = true
		c.SyncIntervalMs = si.Milliseconds()
		if *si < 0 {
			c.SyncIntervalMs = -1
		}
	}
	if v, ok := pb.LoadMetadataType_value[o.LoadType]; ok {
		c.LoadMetadataType = pb.LoadMetadataType(v)
	}
	return c
}

// GetStatus describes path.
func (f *FileSystem) GetStatus(ctx context.Context, path string, o StatusOptions) (*FileInfo, error) {
	var out *FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.GetStatus(ctx, &pb.GetStatusRequest{Path: path, Common: f.common(o)})
		if err == nil {
			out = fromPB(r.FileInfo)
		}
		return err
	})
	return out, err
}

// ListStatus lists a directory's children (everything below it with
// recursive), or the file itself.
func (f *FileSystem) ListStatus(ctx context.Context, path string, recursive bool, o StatusOptions) ([]*FileInfo, error) {
	var out []*FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		out = out[:0]
		stream, err := c.fs.ListStatus(ctx, &pb.ListStatusRequest{Path: path, Recursive: recursive, Common: f.common(o)})
		if err != nil {
			return err
		}
		for {
			r, err := stream.Recv()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			for _, fi := range r.FileInfos {
				out = append(out, fromPB(fi))
			}
		}
	})
	return out, err
}

// CreateFileOptions are the options of CreateFile.
type CreateFileOptions struct {
	Recursive bool
	Mode      os.FileMode // 0: 0666 less the umask
	BlockSize int64       // 0: the configured default
	TTL       time.Duration
	TTLAction string
	WriteType string
	Overwrite bool
	// Persisted says the file's content is already in the under storage.
	Persisted bool
}

func ttlAction(s string) pb.TtlAction {
	if v, ok := pb.TtlAction_value[s]; ok {
		return pb.TtlAction(v)
	}
	return pb.TtlAction_FREE
}

// CreateFile creates an empty, incomplete file; CompleteFile finishes it.
func (f *FileSystem) CreateFile(ctx context.Context, path string, o CreateFileOptions) (*FileInfo, error) {
	wt := o.WriteType
	if wt == "" {
		wt = f.cfg.WriteType
	}
	req := &pb.CreateFileRequest{Path: path, OpId: newOpID(), Mode: uint32(o.Mode.Perm()), BlockSizeBytes: o.BlockSize,
		Recursive: o.Recursive, TtlAction: ttlAction(o.TTLAction), WriteType: wt, Overwrite: o.Overwrite,
		Persisted: o.Persisted, Ttl: -1}
	if req.BlockSizeBytes == 0 {
		req.BlockSizeBytes = f.cfg.BlockSize
	}
	if o.TTL > 0 {
		req.Ttl = o.TTL.Milliseconds()
	}
	var out *FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.CreateFile(ctx, req)
		if err == nil {
			out = fromPB(r.FileInfo)
		}
		return err
	})
	return out, err
}

// CompleteFileOptions are the options of CompleteFile.
type CompleteFileOptions struct {
	Length int64
	// Persisted: the content is in the under storage (CACHE_THROUGH,
	// THROUGH); AsyncPersist: a worker is to persist it (ASYNC_THROUGH).
	Persisted, AsyncPersist bool
	// FileID, when not 0, is the id CreateFile returned: the call fails
	// with ErrNotFound if the file at path was deleted and created again
	// meanwhile, instead of completing someone else's file.
	FileID int64
	// UfsPublishToken is what the worker that staged the under storage
	// copy answered; the master publishes the copy with it.
	UfsPublishToken []byte
	// Xattr are extended attributes the file gets as it completes.
	Xattr map[string][]byte
	// ModTime, when set, is the file's modification time (its last
	// write's); unset, the completion's.
	ModTime time.Time
}

// CompleteFile marks a file complete with its final length.
func (f *FileSystem) CompleteFile(ctx context.Context, path string, o CompleteFileOptions) (*FileInfo, error) {
	req := &pb.CompleteFileRequest{Path: path, OpId: newOpID(), Length: o.Length, Persisted: o.Persisted,
		AsyncPersist: o.AsyncPersist, FileId: o.FileID, UfsPublishToken: o.UfsPublishToken, Xattr: o.Xattr}
	if !o.ModTime.IsZero() {
		req.ModTimeMs = o.ModTime.UnixMilli()
	}
	var out *FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.CompleteFile(ctx, req)
		if err == nil {
			out = fromPB(r.FileInfo)
		}
		return err
	})
	return out, err
}

// CreateDirectoryOptions are the options of CreateDirectory.
type CreateDirectoryOptions struct {
	Recursive   bool
	AllowExists bool
	Mode        os.FileMode
	WriteType   string
}

// CreateDirectory creates a directory.
func (f *FileSystem) CreateDirectory(ctx context.Context, path string, o CreateDirectoryOptions) (*FileInfo, error) {
	wt := o.WriteType
	if wt == "" {
		wt = f.cfg.WriteType
	}
	req := &pb.CreateDirectoryRequest{Path: path, OpId: newOpID(), Recursive: o.Recursive, AllowExists: o.AllowExists,
		Mode: uint32(o.Mode.Perm()), WriteType: wt}
	var out *FileInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.CreateDirectory(ctx, req)
		if err == nil {
			out = fromPB(r.FileInfo)
		}
		return err
	})
	return out, err
}

// DeleteOptions are the options of Delete.
type DeleteOptions struct {
	Recursive   bool
	AlluxioOnly bool
	// FileID, when not 0, deletes path only while it is that file.
	FileID int64
}

// Delete removes path (from the under storage too unless AlluxioOnly).
func (f *FileSystem) Delete(ctx context.Context, path string, o DeleteOptions) error {
	req := &pb.DeleteRequest{Path: path, OpId: newOpID(), Recursive: o.Recursive, AlluxioOnly: o.AlluxioOnly, FileId: o.FileID}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.Remove(ctx, req)
		return err
	})
}

// Rename moves src to dst; dst must not exist.
func (f *FileSystem) Rename(ctx context.Context, src, dst string) error {
	return f.rename(ctx, &pb.RenameRequest{Src: src, Dst: dst, OpId: newOpID()})
}

// RenameOver moves src to dst, replacing the complete file of id
// replaceID there in one step: readers of dst see the old file until they
// see the new one. It fails with ErrPrecondition when dst holds anything
// else by then (another file, nothing, a directory, a file being
// written); the caller decides whether to look again.
func (f *FileSystem) RenameOver(ctx context.Context, src, dst string, replaceID int64) error {
	if replaceID == 0 {
		return fmt.Errorf("rename %s over %s: no file id to replace: %w", src, dst, ErrInvalidArg)
	}
	return f.rename(ctx, &pb.RenameRequest{Src: src, Dst: dst, OpId: newOpID(), ReplaceId: replaceID})
}

func (f *FileSystem) rename(ctx context.Context, req *pb.RenameRequest) error {
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.Rename(ctx, req)
		return err
	})
}

// SetAttributeOptions change only what is set.
type SetAttributeOptions struct {
	Mode      *os.FileMode
	Owner     *string
	Group     *string
	Pinned    *bool
	TTL       *time.Duration // negative: no TTL
	TTLAction *string
	Recursive bool
	// ModTime sets the last modification time; unset, the change itself
	// counts as a modification.
	ModTime *time.Time
	// KeepModTime leaves the modification time as it is (POSIX's chmod
	// and chown), unless ModTime sets it.
	KeepModTime bool
	// Xattr are extended attributes to set, each replacing the one of the
	// same name; with XattrReplaceAll the file keeps only these.
	Xattr           map[string][]byte
	XattrReplaceAll bool
}

// SetAttribute changes attributes of path.
func (f *FileSystem) SetAttribute(ctx context.Context, path string, o SetAttributeOptions) error {
	req := &pb.SetAttributeRequest{Path: path, OpId: newOpID(), Owner: o.Owner, Group: o.Group, Pinned: o.Pinned, Recursive: o.Recursive,
		Xattr: o.Xattr, XattrReplaceAll: o.XattrReplaceAll, KeepModificationTime: o.KeepModTime}
	if o.Mode != nil {
		m := uint32(*o.Mode)
		req.Mode = &m
	}
	if o.TTL != nil {
		t := o.TTL.Milliseconds()
		if *o.TTL < 0 {
			t = -1
		}
		req.Ttl = &t
	}
	if o.TTLAction != nil {
		a := ttlAction(*o.TTLAction)
		req.TtlAction = &a
	}
	if o.ModTime != nil {
		ms := o.ModTime.UnixMilli()
		req.ModificationTimeMs = &ms
	}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.SetAttribute(ctx, req)
		return err
	})
}

// ACL actions of SetACL, as Alluxio's SetAclAction names them.
const (
	ACLModify        = "MODIFY"         // add or change the entries (setfacl -m)
	ACLRemove        = "REMOVE"         // remove the named entries (-x)
	ACLRemoveAll     = "REMOVE_ALL"     // remove every extended entry (-b)
	ACLRemoveDefault = "REMOVE_DEFAULT" // remove the default ACL (-k)
	ACLReplace       = "REPLACE"        // set exactly the entries (--set)
)

// SetACL changes the ACL of path (and of everything below it when
// recursive): action is one of the ACL* constants, entries as setfacl
// takes them ("user:bob:rw-", "default:group::r-x"; "user:bob" to
// remove). Only the owner or a superuser may.
func (f *FileSystem) SetACL(ctx context.Context, path, action string, entries []string, recursive bool) error {
	req := &pb.SetAclRequest{Path: path, OpId: newOpID(), Action: action, Entries: entries, Recursive: recursive}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.SetAcl(ctx, req)
		return err
	})
}

// MountOptions are the options of Mount.
type MountOptions struct {
	ReadOnly   bool
	Shared     bool
	Properties map[string]string
}

// Mount joins the under storage at ufsURI to the namespace at path.
func (f *FileSystem) Mount(ctx context.Context, path, ufsURI string, o MountOptions) error {
	req := &pb.MountRequest{AlluxioPath: path, UfsPath: ufsURI, OpId: newOpID(), ReadOnly: o.ReadOnly, Shared: o.Shared, Properties: o.Properties}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.Mount(ctx, req)
		return err
	})
}

// Unmount removes a mount point (and its namespace) but leaves the under
// storage as it is.
func (f *FileSystem) Unmount(ctx context.Context, path string) error {
	req := &pb.UnmountRequest{AlluxioPath: path, OpId: newOpID()}
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.fs.Unmount(ctx, req)
		return err
	})
}

// MountPoint is one entry of the mount table.
type MountPoint struct {
	AlluxioPath string
	UfsURI      string
	ReadOnly    bool
	Shared      bool
	// PendingUfsOperations counts the under storage changes committed in
	// this mount and not carried out yet.
	PendingUfsOperations int64
	// Properties are the mount's options, secrets masked.
	Properties map[string]string
}

// MountTable lists the mount points.
func (f *FileSystem) MountTable(ctx context.Context) ([]MountPoint, error) {
	var out []MountPoint
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.fs.GetMountTable(ctx, &pb.GetMountTableRequest{})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, m := range r.MountPoints {
			out = append(out, MountPoint{AlluxioPath: m.AlluxioPath, UfsURI: m.UfsUri, ReadOnly: m.ReadOnly, Shared: m.Shared,
				PendingUfsOperations: m.PendingUfsOperations, Properties: m.Properties})
		}
		return nil
	})
	return out, err
}

// MasterInfo is what the primary says about the cluster.
type MasterInfo struct {
	Leader      string
	Masters     []string
	JournalType string
	ZooKeeper   []string
	ZKEnabled   bool
	Epoch       uint64
	StartTime   time.Time
	Uptime      time.Duration
	Version     string
	RPCPort     int
	WebPort     int
	Statuses    []MasterStatus
}

// MasterStatus is one master's role and journal position.
type MasterStatus struct {
	Address     string
	Role        string
	LastApplied uint64
	// WebPort is its web UI's port and ClusterID the cluster it belongs
	// to, as it says ("" and 0 when it did not answer).
	WebPort   int
	ClusterID string
}

// MasterInfo asks the primary about the cluster.
func (f *FileSystem) MasterInfo(ctx context.Context) (*MasterInfo, error) {
	var out *MasterInfo
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.GetMasterInfo(ctx, &pb.GetMasterInfoRequest{})
		if err != nil {
			return err
		}
		out = &MasterInfo{Leader: r.LeaderAddress, Masters: r.MasterAddresses, JournalType: r.JournalType,
			ZooKeeper: r.ZookeeperAddresses, ZKEnabled: r.ZookeeperEnabled, Epoch: r.Epoch,
			StartTime: time.UnixMilli(r.StartTimeMs), Uptime: time.Duration(r.UpTimeMs) * time.Millisecond,
			Version: r.Version, RPCPort: int(r.RpcPort), WebPort: int(r.WebPort)}
		for _, m := range r.Masters {
			out.Statuses = append(out.Statuses, MasterStatus{Address: m.Address, Role: m.Role, LastApplied: m.LastAppliedSequence,
				WebPort: int(m.WebPort), ClusterID: m.ClusterId})
		}
		return nil
	})
	return out, err
}

// Checkpoint asks the primary to write a journal checkpoint now.
func (f *FileSystem) Checkpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.Checkpoint(ctx, &pb.CheckpointRequest{})
		if err == nil {
			seq = r.Sequence
		}
		return err
	})
	return seq, err
}

// QuorumMember is one master of an embedded-journal quorum.
type QuorumMember struct {
	Address    string // embedded journal address
	RPCAddress string
	State      string // AVAILABLE or UNAVAILABLE
	Leader     bool
	Voter      bool
}

// QuorumInfo describes the embedded journal's quorum.
func (f *FileSystem) QuorumInfo(ctx context.Context) (domain, leader string, members []QuorumMember, err error) {
	err = f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.GetQuorumInfo(ctx, &pb.GetQuorumInfoRequest{})
		if err != nil {
			return err
		}
		domain, leader, members = r.Domain, r.Leader, members[:0]
		for _, s := range r.Servers {
			members = append(members, QuorumMember{Address: s.ServerAddress, RPCAddress: s.RpcAddress, State: s.State,
				Leader: s.IsLeader, Voter: s.Voter})
		}
		return nil
	})
	return domain, leader, members, err
}

// TransferLeadership asks the quorum to make the master with the given
// embedded journal address the leader.
func (f *FileSystem) TransferLeadership(ctx context.Context, address string) error {
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.meta.TransferLeadership(ctx, &pb.TransferLeadershipRequest{ServerAddress: address})
		return err
	})
}

// RemoveQuorumMember removes a master from the quorum.
func (f *FileSystem) RemoveQuorumMember(ctx context.Context, address string) error {
	sent := false
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.meta.RemoveQuorumServer(ctx, &pb.RemoveQuorumServerRequest{ServerAddress: address})
		return settledByEarlierAttempt(&sent, err, errs.ErrNotFound)
	})
}

// settledByEarlierAttempt answers a quorum change retried after an attempt
// whose outcome was lost (a timeout, a failover): Raft may have applied
// that attempt, and then the retry is refused with done (the member is
// gone, or there already). Quorum changes carry no operation id, so this
// is how their retries stay idempotent.
func settledByEarlierAttempt(sent *bool, err, done error) error {
	if err == nil {
		return nil
	}
	if e, _ := errs.FromStatus(err); *sent && errors.Is(e, done) {
		return nil
	}
	*sent = true
	return err
}

// AddQuorumMember adds a master (its embedded journal and rpc addresses)
// to the quorum; it then catches up from the others.
func (f *FileSystem) AddQuorumMember(ctx context.Context, address, rpcAddress string) error {
	sent := false
	return f.retry(ctx, func(ctx context.Context, c *conn) error {
		_, err := c.meta.AddQuorumServer(ctx, &pb.AddQuorumServerRequest{ServerAddress: address, RpcAddress: rpcAddress})
		return settledByEarlierAttempt(&sent, err, errs.ErrAlreadyExists)
	})
}
