package raftjournal

import (
	"context"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/alluxio-go/alluxio/internal/errs"
	"github.com/alluxio-go/alluxio/internal/journal"
)

// observe keeps the leader's view of which members answer heartbeats, for
// Members and for RemoveMember's majority check.
func (s *System) observe(ch <-chan raft.Observation) {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case o := <-ch:
			s.noteObservation(o.Data)
		}
	}
}

func (s *System) noteObservation(data any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch d := data.(type) {
	case raft.FailedHeartbeatObservation:
		if !s.failing[d.PeerID] {
			s.log.Warn("embedded journal member is not answering", "member", d.PeerID, "last_contact", d.LastContact)
		}
		s.failing[d.PeerID] = true
	case raft.ResumedHeartbeatObservation:
		delete(s.failing, d.PeerID)
		s.log.Info("embedded journal member answers again", "member", d.PeerID)
	case raft.PeerObservation:
		if d.Removed {
			delete(s.failing, d.Peer.ID)
		}
	case raft.LeaderObservation:
		s.log.Info("embedded journal leader changed", "leader", d.LeaderID, "leader_rpc", s.rpcOf[string(d.LeaderID)])
	}
}

// Members lists the quorum (journal.Quorum).
func (s *System) Members() ([]journal.QuorumMember, error) {
	m, _, err := s.Quorum()
	return m, err
}

// Quorum lists the quorum in address order and names the leader's journal
// address ("" while there is none). Only the leader tracks whether the
// others answer heartbeats; a standby reports itself, the leader if it heard
// from it lately, and every other member as available, since it cannot tell.
func (s *System) Quorum() ([]journal.QuorumMember, string, error) {
	if s.raft == nil {
		return nil, "", errs.New(errs.ErrPrecondition, "embedded journal not started")
	}
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, "", errs.New(errs.ErrUnavailable, "embedded journal configuration: %v", err)
	}
	_, leader := s.raft.LeaderWithID()
	leading := s.raft.State() == raft.Leader
	heard := time.Since(s.raft.LastContact()) < 2*s.opts.ElectionTimeoutMin
	self := raft.ServerID(s.opts.LocalAddress)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []journal.QuorumMember
	for _, srv := range f.Configuration().Servers {
		m := journal.QuorumMember{Address: string(srv.ID), RPCAddress: s.rpcOf[string(srv.ID)],
			Leader: srv.ID == leader, Voter: srv.Suffrage == raft.Voter, Available: true}
		switch {
		case srv.ID == self:
		case leading:
			m.Available = !s.failing[srv.ID]
		case srv.ID == leader:
			m.Available = heard
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b journal.QuorumMember) int { return strings.Compare(a.Address, b.Address) })
	return out, string(leader), nil
}

// configuration returns the latest quorum and the Raft index it was set at,
// which a change passes back so a concurrent change makes it fail instead of
// being overwritten.
func (s *System) configuration() ([]raft.Server, uint64, error) {
	if s.raft == nil {
		return nil, 0, errs.New(errs.ErrPrecondition, "embedded journal not started")
	}
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, 0, errs.New(errs.ErrUnavailable, "embedded journal configuration: %v", err)
	}
	return f.Configuration().Servers, f.Index(), nil
}

func find(servers []raft.Server, addr string) (raft.Server, bool) {
	for _, srv := range servers {
		if string(srv.ID) == addr {
			return srv, true
		}
	}
	return raft.Server{}, false
}

func memberList(servers []raft.Server) string {
	var ids []string
	for _, srv := range servers {
		ids = append(ids, string(srv.ID))
	}
	return strings.Join(ids, ",")
}

// adminWait bounds how long a membership change may take to commit.
func (s *System) adminWait(f raft.Future) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*s.opts.ElectionTimeoutMax)
	defer cancel()
	return wait(ctx, f)
}

// TransferLeadership makes the member at journal address addr the leader.
// It must be asked of the leader and names a voting member other than the
// leader; Raft gives up if the target has not won within an election
// timeout.
func (s *System) TransferLeadership(addr string) error {
	servers, _, err := s.configuration()
	if err != nil {
		return err
	}
	srv, ok := find(servers, addr)
	if !ok {
		return errs.New(errs.ErrNotFound, "%s is not a member of the journal quorum (%s)", addr, memberList(servers))
	}
	if srv.Suffrage != raft.Voter {
		return errs.New(errs.ErrPrecondition, "%s is not a voting member and cannot lead", addr)
	}
	if _, leader := s.raft.LeaderWithID(); leader == srv.ID {
		return errs.New(errs.ErrPrecondition, "%s is already the leader; nothing to transfer", addr)
	}
	if s.raft.State() != raft.Leader {
		return s.notPrimary()
	}
	s.mu.Lock()
	failing := s.failing[srv.ID]
	s.mu.Unlock()
	if failing {
		return errs.New(errs.ErrUnavailable, "%s is not answering the leader; it cannot take over", addr)
	}
	start := time.Now()
	if err := s.adminWait(s.raft.LeadershipTransferToServer(srv.ID, srv.Address)); err != nil {
		return errs.New(errs.ErrUnavailable, "leadership transfer to %s failed: %v", addr, err)
	}
	s.log.Info("leadership transferred", "to", addr, "took", time.Since(start))
	return nil
}

// RemoveMember takes the member at journal address addr out of the quorum.
// The leader cannot remove itself: transfer leadership first (fsadmin journal
// quorum elect), then remove it from the new leader, so the cluster never
// waits out an election for it. A removal that would leave fewer answering
// voters than a majority of the rest is refused too: the journal would stop
// taking writes.
func (s *System) RemoveMember(addr string) error {
	if s.raft == nil || s.raft.State() != raft.Leader {
		return s.notPrimary()
	}
	servers, index, err := s.configuration()
	if err != nil {
		return err
	}
	srv, ok := find(servers, addr)
	switch {
	case !ok:
		return errs.New(errs.ErrNotFound, "%s is not a member of the journal quorum (%s)", addr, memberList(servers))
	case len(servers) == 1:
		return errs.New(errs.ErrPrecondition, "%s is the last member of the journal quorum", addr)
	case addr == s.opts.LocalAddress:
		return errs.New(errs.ErrPrecondition, "%s is the leader; transfer leadership first, then remove it", addr)
	}
	if srv.Suffrage == raft.Voter {
		voters, answering := 0, 0
		s.mu.Lock()
		for _, o := range servers {
			if o.Suffrage == raft.Voter && o.ID != srv.ID {
				voters++
				if !s.failing[o.ID] {
					answering++
				}
			}
		}
		s.mu.Unlock()
		if answering*2 <= voters {
			return errs.New(errs.ErrPrecondition, "removing %s would leave %d of %d voting members answering, not a majority",
				addr, answering, voters)
		}
	}
	if err := s.adminWait(s.raft.RemoveServer(srv.ID, index, 0)); err != nil {
		return errs.New(errs.ErrUnavailable, "remove %s from the journal quorum: %v", addr, err)
	}
	s.mu.Lock()
	delete(s.rpcOf, addr)
	s.mu.Unlock()
	s.log.Info("journal quorum member removed", "member", addr)
	return nil
}

// AddMember adds the master at journal address addr (rpc address rpcAddr)
// as a voting member. That master must already run, started with Join and
// an empty data directory: it then receives a snapshot and the log from the
// leader. Refusing an unreachable address keeps an absent member from
// counting toward the majority the journal needs.
//
// The rpc address is remembered only by this master. Clients find the
// masters from alluxio.master.rpc.addresses, so the new master must be added
// to that list (and to alluxio.master.embedded.journal.addresses) on every
// master and client as well.
func (s *System) AddMember(addr, rpcAddr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return errs.New(errs.ErrInvalidArg, "journal address %q: %v", addr, err)
	}
	if _, _, err := net.SplitHostPort(rpcAddr); err != nil {
		return errs.New(errs.ErrInvalidArg, "rpc address %q of %s: %v", rpcAddr, addr, err)
	}
	if s.raft == nil || s.raft.State() != raft.Leader {
		return s.notPrimary()
	}
	servers, index, err := s.configuration()
	if err != nil {
		return err
	}
	if srv, ok := find(servers, addr); ok && srv.Suffrage == raft.Voter {
		return errs.New(errs.ErrAlreadyExists, "%s is already a member of the journal quorum", addr)
	}
	conn, err := net.DialTimeout("tcp", addr, s.opts.ElectionTimeoutMin)
	if err != nil {
		return errs.New(errs.ErrUnavailable, "%s does not answer (%v); start that master first, with an empty journal and join set, then add it", addr, err)
	}
	_ = conn.Close()
	s.mu.Lock()
	prev, had := s.rpcOf[addr]
	s.rpcOf[addr] = rpcAddr
	s.mu.Unlock()
	if err := s.adminWait(s.raft.AddVoter(raft.ServerID(addr), raft.ServerAddress(addr), index, 0)); err != nil {
		s.mu.Lock()
		if had {
			s.rpcOf[addr] = prev
		} else {
			delete(s.rpcOf, addr)
		}
		s.mu.Unlock()
		return errs.New(errs.ErrUnavailable, "add %s to the journal quorum: %v", addr, err)
	}
	s.log.Info("journal quorum member added", "member", addr, "rpc", rpcAddr)
	return nil
}
