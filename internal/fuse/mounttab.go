package fuse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// FsType is the type column of this tool's mounts in /proc/mounts
// ("fuse." and go-fuse's Name).
const FsType = "fuse.alluxio"

// SourcePrefix starts the source column of this tool's mounts; the
// Alluxio path mounted follows it.
const SourcePrefix = "alluxio:"

// MountInfo is one Alluxio FUSE mount of this machine.
type MountInfo struct {
	MountPoint  string
	Source      string
	AlluxioPath string // from the source; "" when fsname= changed it
	// Pid is the process serving the mount; 0 when none (it was killed,
	// the mount point is stale) or it cannot be told.
	Pid int
}

// Mounts lists this tool's mounts, from /proc/self/mounts.
func Mounts() ([]MountInfo, error) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMounts(f, servingPids())
}

// parseMounts reads a mounts table (the fstab format of /proc/mounts) and
// keeps the mounts of type FsType; pids maps mount points to the processes
// serving them.
func parseMounts(r io.Reader, pids map[string]int) ([]MountInfo, error) {
	var out []MountInfo
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[2] != FsType {
			continue
		}
		m := MountInfo{Source: unescapeMount(fields[0]), MountPoint: unescapeMount(fields[1])}
		if p, ok := strings.CutPrefix(m.Source, SourcePrefix); ok {
			m.AlluxioPath = p
		}
		m.Pid = pids[m.MountPoint]
		out = append(out, m)
	}
	return out, sc.Err()
}

// unescapeMount undoes the octal escapes (\040 for a space) of
// /proc/mounts fields.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// MountedAt reports whether anything (of any type) is mounted at dir.
func MountedAt(dir string) (bool, error) {
	raw, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) > 1 && unescapeMount(f[1]) == dir {
			return true, nil
		}
	}
	return false, nil
}

// FindMount returns the mount of this tool at dir, if there is one.
func FindMount(dir string) (*MountInfo, error) {
	ms, err := Mounts()
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].MountPoint == dir {
			return &ms[i], nil
		}
	}
	return nil, nil
}

// IsStale reports whether dir is a FUSE mount whose process is gone:
// "transport endpoint is not connected".
func IsStale(dir string) bool {
	_, err := os.Stat(dir)
	return errors.Is(err, syscall.ENOTCONN)
}

// Unmount unmounts dir; with lazy, a mount still in use is detached at
// once and goes away when its last file is closed (umount -l). Root
// unmounts directly; other users go through fusermount3.
func Unmount(dir string, lazy bool) error {
	if os.Geteuid() == 0 {
		flags := 0
		if lazy {
			flags = syscall.MNT_DETACH
		}
		if err := syscall.Unmount(dir, flags); err != nil {
			return &os.PathError{Op: "unmount", Path: dir, Err: err}
		}
		return nil
	}
	args := []string{"-u"}
	if lazy {
		args = append(args, "-z")
	}
	out, err := exec.Command("fusermount3", append(args, dir)...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if strings.Contains(msg, "busy") {
			return &os.PathError{Op: "unmount", Path: dir, Err: syscall.EBUSY}
		}
		return fmt.Errorf("fusermount3 -u %s: %v: %s", dir, err, msg)
	}
	return nil
}

// servingPids maps mount points to the processes that serve them: those
// running `fuse mount` with /dev/fuse open, by the mount point they were
// given (made absolute against their working directory).
func servingPids() map[string]int {
	out := map[string]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			continue
		}
		mp, ok := MountPointArg(strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00"))
		if !ok || !holdsFuseDevice(dir) {
			continue
		}
		if !filepath.IsAbs(mp) {
			cwd, err := os.Readlink(filepath.Join(dir, "cwd"))
			if err != nil {
				continue
			}
			mp = filepath.Join(cwd, mp)
		}
		out[filepath.Clean(mp)] = pid
	}
	return out
}

func holdsFuseDevice(procDir string) bool {
	fds, _ := os.ReadDir(filepath.Join(procDir, "fd"))
	for _, fd := range fds {
		if t, err := os.Readlink(filepath.Join(procDir, "fd", fd.Name())); err == nil && t == "/dev/fuse" {
			return true
		}
	}
	return false
}

// MountPointArg finds the mount point in the command line of an
// `alluxio fuse mount` process: the first argument after "fuse mount"
// that is neither a flag nor a flag's value.
func MountPointArg(argv []string) (string, bool) {
	i := 1
	for ; i+1 < len(argv); i++ {
		if argv[i] == "fuse" && argv[i+1] == "mount" {
			break
		}
	}
	if i+1 >= len(argv) {
		return "", false
	}
	valued := map[string]bool{"-o": true, "--option": true, "-D": true, "--property": true}
	for j := i + 2; j < len(argv); j++ {
		a := argv[j]
		switch {
		case a == "--":
			if j+1 < len(argv) {
				return argv[j+1], true
			}
			return "", false
		case valued[a]:
			j++
		case strings.HasPrefix(a, "-") && a != "-":
		default:
			return a, true
		}
	}
	return "", false
}

// PidAlive reports whether a process with this pid exists.
func PidAlive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}
