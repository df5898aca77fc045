package fuse

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Serve mounts the file system at dir and serves it until it is unmounted,
// by anyone (`alluxio fuse unmount`, umount, a lazy unmount once its last
// open file is closed), or until ctx ends, which unmounts it (lazily when
// files are open: they are served until closed). ready, if not nil, is
// called once the mount is up.
//
// The process does not wait for the kernel to end the FUSE connection:
// another mount namespace created while the mount was up (ip netns exec,
// unshare, a container runtime) keeps a copy of it, and with it the
// connection, after the unmount here. Once the mount is gone from this
// process's mount table and no file or directory is open through it,
// Serve returns, and the copies elsewhere see "transport endpoint is not
// connected" from then on.
func (f *FS) Serve(ctx context.Context, dir string, ready func()) error {
	srv, err := f.Mount(dir)
	if err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	ended := make(chan struct{})
	go func() {
		srv.Wait()
		close(ended)
	}()
	gone := make(chan struct{})
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	go f.watchUnmount(dir, gone, stopWatch)
	sig := ctx.Done()
	for {
		select {
		case <-sig:
			sig = nil
			f.log.Info("unmounting", "mount_point", dir, "why", context.Cause(ctx))
			if err := Unmount(dir, false); err != nil {
				f.log.Warn("files are open: detaching the mount; it ends when they are closed", "mount_point", dir, "err", err)
				if err := Unmount(dir, true); err != nil && !errors.Is(err, unix.EINVAL) {
					f.log.Error("unmount failed", "mount_point", dir, "err", err)
				}
			}
		case <-ended:
			f.Close()
			return nil
		case <-gone:
			f.Close()
			return nil
		}
	}
}

// watchUnmount closes gone once dir is no longer mounted here and no
// handle of the mount is open. It wakes up when the mount table changes
// (poll(2) on /proc/self/mounts reports POLLPRI), and every second anyway.
func (f *FS) watchUnmount(dir string, gone, stop chan struct{}) {
	mounts, err := os.Open("/proc/self/mounts")
	if err != nil {
		f.log.Warn("cannot watch the mount table; the process ends when the kernel ends the connection", "err", err)
		return
	}
	defer mounts.Close()
	fd := int(mounts.Fd())
	buf := make([]byte, 64<<10)
	for {
		select {
		case <-stop:
			return
		default:
		}
		// Reading the table to its end resets the change notification.
		unix.Seek(fd, 0, 0)
		for {
			n, err := unix.Read(fd, buf)
			if n <= 0 || err != nil {
				break
			}
		}
		if mounted, err := MountedAt(dir); err == nil && !mounted && f.openHandles.Load() == 0 {
			f.log.Info("the mount is gone", "mount_point", dir)
			close(gone)
			return
		}
		unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}}, int(time.Second/time.Millisecond))
	}
}
