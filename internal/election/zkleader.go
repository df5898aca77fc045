package election

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"github.com/go-zookeeper/zk"
)

// NewestLeader returns the primary's address as published under
// leaderPath: the name of its child created last (highest czxid), as
// Alluxio's clients pick it. A former primary's znode can outlive it until
// its session expires, so the newest one is the best guess. It returns ""
// when there is none (or no leaderPath at all).
func NewestLeader(conn *zk.Conn, leaderPath string) (string, error) {
	children, _, err := conn.Children(leaderPath)
	if errors.Is(err, zk.ErrNoNode) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return newestChild(conn, leaderPath, children)
}

// newestChild returns the child of dir with the highest czxid, skipping
// children deleted since they were listed.
func newestChild(conn *zk.Conn, dir string, children []string) (string, error) {
	var best string
	var bestZxid int64 = -1
	for _, c := range children {
		ok, st, err := conn.Exists(dir + "/" + c)
		if err != nil {
			return "", err
		}
		if ok && st.Czxid > bestZxid {
			best, bestZxid = c, st.Czxid
		}
	}
	return best, nil
}

// ensurePath creates p and its missing parents as persistent znodes.
func ensurePath(conn *zk.Conn, p string) error {
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		_, err := conn.Create(p[:i], nil, 0, zk.WorldACL(zk.PermAll))
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	return nil
}

// candidate is a child of the election path: <prefix>-latch-<sequence>.
type candidate struct {
	name string
	seq  int64
}

// parseCandidate reads the sequence number ZooKeeper appended (ten
// digits). Children of any other shape are not candidates and are ignored.
func parseCandidate(name string) (candidate, bool) {
	i := strings.LastIndex(name, "-latch-")
	if i < 0 {
		return candidate{}, false
	}
	digits := name[i+len("-latch-"):]
	if len(digits) < 10 || len(digits) > 18 {
		return candidate{}, false
	}
	var seq int64
	for _, r := range digits {
		if r < '0' || r > '9' {
			return candidate{}, false
		}
		seq = seq*10 + int64(r-'0')
	}
	return candidate{name: name, seq: seq}, true
}

// sortCandidates returns the candidates among children, lowest sequence
// first: the first one leads.
func sortCandidates(children []string) []candidate {
	out := make([]candidate, 0, len(children))
	for _, c := range children {
		if cand, ok := parseCandidate(c); ok {
			out = append(out, cand)
		}
	}
	slices.SortFunc(out, func(a, b candidate) int { return cmp.Compare(a.seq, b.seq) })
	return out
}
