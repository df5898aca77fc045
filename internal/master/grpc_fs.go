package master

import (
	"context"

	"google.golang.org/grpc"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
	"github.com/alluxio-go/alluxio/internal/security"
	"github.com/alluxio-go/alluxio/internal/underfs"
)

// userOf is the user a call acts as, as the server's authenticator
// established it; "anonymous" when there is none (NOSASL).
func userOf(ctx context.Context) string {
	if id, _ := security.FromContext(ctx); id.User != "" {
		return id.User
	}
	return "anonymous"
}

// fsService adapts fileSystem to gRPC; errors are mapped to status codes by
// the server's interceptor.
type fsService struct {
	pb.UnimplementedFileSystemMasterClientServiceServer
	fs *fileSystem
}

func (s *fsService) GetStatus(ctx context.Context, r *pb.GetStatusRequest) (*pb.GetStatusResponse, error) {
	fi, err := s.fs.getStatus(ctx, r.Path, r.Common, r.Capability)
	if err != nil {
		return nil, err
	}
	return &pb.GetStatusResponse{FileInfo: fi}, nil
}

func (s *fsService) ListStatus(r *pb.ListStatusRequest, stream grpc.ServerStreamingServer[pb.ListStatusResponse]) error {
	return s.fs.listStatus(stream.Context(), r.Path, r.Recursive, r.Common, func(b []*pb.FileInfo) error {
		return stream.Send(&pb.ListStatusResponse{FileInfos: b})
	})
}

func (s *fsService) CreateFile(ctx context.Context, r *pb.CreateFileRequest) (*pb.CreateFileResponse, error) {
	fi, err := s.fs.createFile(ctx, r)
	if err != nil {
		return nil, err
	}
	return &pb.CreateFileResponse{FileInfo: fi}, nil
}

func (s *fsService) CompleteFile(ctx context.Context, r *pb.CompleteFileRequest) (*pb.CompleteFileResponse, error) {
	fi, err := s.fs.completeFile(ctx, r)
	if err != nil {
		return nil, err
	}
	return &pb.CompleteFileResponse{FileInfo: fi}, nil
}

func (s *fsService) CreateDirectory(ctx context.Context, r *pb.CreateDirectoryRequest) (*pb.CreateDirectoryResponse, error) {
	fi, err := s.fs.createDirectory(ctx, r)
	if err != nil {
		return nil, err
	}
	return &pb.CreateDirectoryResponse{FileInfo: fi}, nil
}

func (s *fsService) Remove(ctx context.Context, r *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	mounts := s.mountsAt(r.Path)
	err := s.fs.remove(ctx, r)
	if len(mounts) > 0 {
		s.logDeleteOfMounts(ctx, r.Path, mounts, err)
	}
	return &pb.DeleteResponse{}, err
}

func (s *fsService) Rename(ctx context.Context, r *pb.RenameRequest) (*pb.RenameResponse, error) {
	return &pb.RenameResponse{}, s.fs.rename(ctx, r)
}

func (s *fsService) SetAttribute(ctx context.Context, r *pb.SetAttributeRequest) (*pb.SetAttributeResponse, error) {
	return &pb.SetAttributeResponse{}, s.fs.setAttribute(ctx, r)
}

func (s *fsService) SetAcl(ctx context.Context, r *pb.SetAclRequest) (*pb.SetAclResponse, error) {
	return &pb.SetAclResponse{}, s.fs.setAcl(ctx, r)
}

func (s *fsService) Mount(ctx context.Context, r *pb.MountRequest) (*pb.MountResponse, error) {
	err := s.fs.mount(ctx, r)
	s.logMount(ctx, r.AlluxioPath, r.UfsPath, r.ReadOnly, err)
	return &pb.MountResponse{}, err
}

func (s *fsService) Unmount(ctx context.Context, r *pb.UnmountRequest) (*pb.UnmountResponse, error) {
	err := s.fs.unmount(ctx, r)
	s.logUnmount(ctx, r.AlluxioPath, err)
	return &pb.UnmountResponse{}, err
}

func (s *fsService) GetMountTable(context.Context, *pb.GetMountTableRequest) (*pb.GetMountTableResponse, error) {
	resp := &pb.GetMountTableResponse{}
	pending := s.fs.st.PendingByMount()
	for _, m := range s.fs.st.MountTable() {
		resp.MountPoints = append(resp.MountPoints, &pb.MountPointInfo{AlluxioPath: m.AlluxioPath, UfsUri: m.UfsURI,
			ReadOnly: m.ReadOnly, Shared: m.Shared, MountId: m.ID, Properties: underfs.MaskSecrets(m.Properties),
			PendingUfsOperations: int64(pending[m.ID])})
	}
	return resp, nil
}
