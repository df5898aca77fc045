package raftjournal

import (
	"io"

	"github.com/hashicorp/raft"

	"github.com/alluxio-go/alluxio/internal/journal"
)

// Seed makes sm's checkpoint the Raft snapshot a new embedded journal
// starts from (alluxio format with alluxio.master.journal.init.from.backup).
// Every master of the new cluster is seeded alike, before its first start,
// in its empty data directory: the snapshot is at index 1 of term 1 and
// holds the configuration of peers, so each master restores it at start,
// finds existing state and does not bootstrap, and the quorum goes on
// from the backup's last sequence.
func Seed(dataDir string, peers []Peer, sm journal.StateMachine) error {
	snaps, err := raft.NewFileSnapshotStore(dataDir, 2, io.Discard)
	if err != nil {
		return err
	}
	var servers []raft.Server
	for _, p := range peers {
		servers = append(servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.JournalAddress),
			Address: raft.ServerAddress(p.JournalAddress)})
	}
	// The store encodes the peers in the snapshot's metadata the old way
	// too, through a transport; an in-memory one encodes an address as
	// itself, as the TCP transport does.
	_, trans := raft.NewInmemTransport("")
	sink, err := snaps.Create(raft.SnapshotVersionMax, 1, 1, raft.Configuration{Servers: servers}, 1, trans)
	if err != nil {
		return err
	}
	if _, err := sm.WriteCheckpoint(sink, 0); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}
