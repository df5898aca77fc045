package conf

import (
	"fmt"
	"strings"
)

// inert is a key Alluxio users set that this project accepts (so their
// property files keep working) but does not act on yet. Its description
// says so, and Load warns when a source sets it, so nobody believes a
// feature is on that is not.
type inert struct {
	// why: what happens instead, for the description and the warning.
	why string
	// honoured, when set, is the one value that matches what the code
	// does (SIMPLE authentication is what clients do), so setting it
	// warns about nothing.
	honoured string
}

var noEffect = map[string]inert{
	MasterWebHostname: {why: "the web port answers on alluxio.master.bind.host"},
	MasterWebBindHost: {why: "the web port listens on alluxio.master.bind.host"},
	MasterMetastore: {why: "the metadata is kept in the master's memory and rebuilt from the journal (HEAP)",
		honoured: "HEAP"},
	MasterMetastoreDir: {why: "there is no on-disk metastore; the journal is the durable copy"},
	MasterJournalFlushBatchTime: {why: "the journal never waits to batch: it writes every proposal waiting " +
		"and syncs once (group commit)"},
	MasterJournalFlushTimeout: {why: "a journal write that fails ends the master's primacy at once"},
	MasterJournalTailerShutdownQuietWaitTime: {why: "a standby that wins the election catches up to the end " +
		"of the journal, then serves, without a quiet wait"},
	MasterJournalRetryInterval:            {why: "a failed journal write is not retried: the master steps down"},
	MasterJournalGCPeriod:                 {why: "journal files a checkpoint covers are deleted when it is written"},
	MasterJournalGCThreshold:              {why: "journal files a checkpoint covers are deleted when it is written"},
	MasterEmbeddedJournalCatchupRetryWait: {why: "Raft replication paces catch-up itself"},
	MasterEmbeddedJournalEntrySizeMax:     {why: "entries are bounded by the RPC message limit (64MB)"},
	MasterEmbeddedJournalFlushSizeMax:     {why: "Raft batches log writes itself"},
	MasterEmbeddedJournalWriteTimeout:     {why: "a proposal waits for its commit as long as the caller's deadline"},
	MasterEmbeddedJournalRetryCacheExpiryTime: {why: "operation ids live in the replicated retry cache " +
		"(alluxio.master.filesystem.operation.retry.cache.size)"},
	MasterEmbeddedJournalSnapshotReplicationChunkSize:   {why: "Raft sends snapshots in one stream"},
	MasterEmbeddedJournalTransportMaxInboundMessageSize: {why: "the Raft transport has no message limit to set"},
	MasterEmbeddedJournalTransportRequestTimeout:        {why: "the Raft transport's timeouts are fixed"},
	MasterEmbeddedJournalRaftClientRequestTimeout:       {why: "a proposal waits for its commit as long as the caller's deadline"},
	MasterEmbeddedJournalRaftClientRequestInterval:      {why: "proposals go to the local Raft node, never retried by interval"},
	JobMasterHostname:            {why: "there is no job service yet"},
	JobMasterRPCPort:             {why: "there is no job service yet"},
	JobMasterWebPort:             {why: "there is no job service yet"},
	JobMasterEmbeddedJournalPort: {why: "there is no job service yet"},
	JobWorkerRPCPort:             {why: "there is no job service yet"},
	JobWorkerDataPort:            {why: "there is no job service yet"},
	JobWorkerWebPort:             {why: "there is no job service yet"},
	ProxyWebHostname:             {why: "the proxy answers on alluxio.proxy.web.bind.host; it advertises nothing"},
	WorkerWebHostname:            {why: "the web port answers on alluxio.worker.bind.host"},
	WorkerWebBindHost:            {why: "the web port listens on alluxio.worker.bind.host"},
	WorkerDataFolder:             {why: "blocks live in a fixed folder under each tier directory"},
	WorkerBlockHeartbeatTimeout: {why: "a worker keeps heartbeating to whichever master is primary " +
		"until it is stopped"},
	WorkerMasterConnectRetryTimeout: {why: "a worker keeps trying to reach a primary until it is stopped"},
	UserFileCreateTTL:               {why: "new files get a TTL only from setTtl or the create call"},
	UserFileCreateTTLAction:         {why: "new files get a TTL only from setTtl or the create call"},
	UserNetworkStreamingMaxInboundMessageSize: {why: "data streams use fixed message limits " +
		"(chunks are at most a few megabytes)"},
}

// inertDoc is k's description with what noEffect says about it.
func inertDoc(k Key) Key {
	if n, ok := noEffect[k.Name]; ok {
		k.Doc = strings.TrimSpace(k.Doc) + " No effect yet: " + n.why + "."
	}
	return k
}

// inertWarning is the warning for a source setting an inert key, or "".
func inertWarning(s sourced) string {
	n, ok := noEffect[s.name]
	if !ok || (n.honoured != "" && strings.EqualFold(strings.TrimSpace(s.value), n.honoured)) {
		return ""
	}
	return fmt.Sprintf("%s=%s (set by %s) has no effect yet: %s", s.name, s.value, s.source, n.why)
}

// InertWarning is the warning for key set to value by source when the key
// has no effect (or not with that value), or "": for the code that reads
// such a key from somewhere other than a property file, as the S3 under
// storage does from a mount's options.
func InertWarning(key, value, source string) string {
	return inertWarning(sourced{name: key, value: value, source: source})
}
