package conf

// Constructors keep the tables to one entry per key.
func str(name, def, doc string) Key  { return Key{Name: name, Default: def, Type: TypeString, Doc: doc} }
func num(name, def, doc string) Key  { return Key{Name: name, Default: def, Type: TypeInt, Doc: doc} }
func flag(name, def, doc string) Key { return Key{Name: name, Default: def, Type: TypeBool, Doc: doc} }
func dur(name, def, doc string) Key {
	return Key{Name: name, Default: def, Type: TypeDuration, Doc: doc}
}
func size(name, def, doc string) Key { return Key{Name: name, Default: def, Type: TypeBytes, Doc: doc} }
func list(name, def, doc string) Key { return Key{Name: name, Default: def, Type: TypeList, Doc: doc} }
func enum(name, def string, vals []string, doc string) Key {
	return Key{Name: name, Default: def, Type: TypeEnum, Enum: vals, Doc: doc}
}

var generalKeys = []Key{
	str(Home, "/opt/alluxio", "Installation directory; ALLUXIO_HOME sets it."),
	str(WorkDir, "${alluxio.home}", "Directory for the journal, metastore and logs unless they are set one by one."),
	str(ConfDir, "${alluxio.home}/conf", "Directory searched first for alluxio-site.properties; ALLUXIO_CONF_DIR sets it."),
	str(LogsDir, "${alluxio.work.dir}/logs", "Directory for log files; ALLUXIO_LOGS_DIR sets it."),
	list(TmpDirs, "/tmp", "Comma separated local directories for temporary files: S3 writes with "+
		"alluxio.underfs.s3.streaming.upload.enabled=false are kept in one of them (chosen at random) until closed."),
	num(ProxyWebPort, "39999", "Port of the proxy's REST and S3 API."),
	str(ProxyWebHostname, "", "Hostname the proxy advertises; empty means the local hostname."),
	str(ProxyWebBindHost, "0.0.0.0", "Address the proxy listens on."),
	enum(ProxyS3WriteType, "CACHE_THROUGH", []string{"MUST_CACHE", "CACHE_THROUGH", "THROUGH", "ASYNC_THROUGH"},
		"Write type of objects written through the S3 API."),
	str(ProxyS3CredentialsFile, "", "File of access key ids and secret keys (one 'ACCESS_KEY SECRET_KEY' a line); when set, "+
		"the S3 API verifies every request's signature and refuses unknown keys. Empty: the access key id names the user, unchecked."),
	flag(ProxyS3CleanerEnabled, "true", "Whether the proxy removes multipart uploads left unfinished longer than the cleaner timeout."),
	dur(ProxyS3CleanerTimeout, "1day", "How long a multipart upload may go without a new part before the cleaner aborts it."),
	size(ProxyS3MinPartSize, "5MB", "Smallest part but the last one that CompleteMultipartUpload accepts (EntityTooSmall below)."),
	dur(ProxyS3CompleteKeepalive, "30sec", "How often CompleteMultipartUpload sends a space to keep the connection open while it assembles the object."),
	size(ProxyS3MetadataMaxSize, "2KB", "Largest total size of an object's user metadata (x-amz-meta-* headers)."),
	str(JobMasterHostname, "${alluxio.master.hostname}", "Hostname of the job master."),
	num(JobMasterRPCPort, "20001", "RPC port of the job master."),
	num(JobMasterWebPort, "20002", "Web port of the job master."),
	num(JobMasterEmbeddedJournalPort, "20003", "Embedded journal port of the job master."),
	num(JobWorkerRPCPort, "30001", "RPC port of the job worker."),
	num(JobWorkerDataPort, "30002", "Data port of the job worker."),
	num(JobWorkerWebPort, "30003", "Web port of the job worker."),
}

var masterKeys = []Key{
	str(MasterHostname, "", "Hostname of this master as others reach it; in HA it must be the externally visible address."),
	str(MasterBindHost, "0.0.0.0", "Address the master's RPC server listens on."),
	num(MasterRPCPort, "19998", "RPC port of the master."),
	list(MasterRPCAddresses, "", "Comma separated host:port RPC addresses of all masters; empty means derived from "+
		"alluxio.master.embedded.journal.addresses with the RPC port."),
	str(MasterWebHostname, "${alluxio.master.hostname}", "Hostname the master's web UI advertises."),
	str(MasterWebBindHost, "0.0.0.0", "Address the master's web server listens on."),
	num(MasterWebPort, "19999", "Port of the master's web UI."),
	enum(MasterMetastore, "HEAP", []string{"HEAP", "ROCKS"},
		"Where the master keeps inode and block metadata. Alluxio's default is ROCKS."),
	str(MasterMetastoreDir, "${alluxio.work.dir}/metastore", "Directory of the on-disk metastore."),
	str(MasterMountTableRootUFS, "${alluxio.work.dir}/underFSStorage", "Under file system mounted at the root of the namespace."),
	dur(MasterWorkerTimeout, "5min", "A worker that has not heartbeated for this long is declared lost."),
	dur(MasterLostWorkerDetectionInterval, "10sec", "How often the master looks for lost workers."),
	dur(MasterDeletedBlockRetention, "5min", "How long workers keep the cached blocks of a file that was deleted or "+
		"replaced (by a rename over it or an overwrite) before the master has them dropped, so that a reader that opened "+
		"the file before reads it to its end, as an open descriptor does in POSIX (its copy in the under storage may be "+
		"gone). They are evicted first when space is needed; 0 drops them at once. This project's key, not Alluxio's."),
	dur(MasterTTLCheckerInterval, "1hour", "How often the master deletes or frees files whose TTL expired."),
	flag(UnderfsCleanupEnabled, "true", "Whether the primary master sweeps the writable under storages, when it becomes "+
		"primary and every alluxio.underfs.cleanup.interval, for copies written for files that will never publish them "+
		"(their files were deleted, or their writers died) and for writes dead writers left unfinished, and removes them. "+
		"Alluxio's default is false; here the sweep is what removes what the write protocol's dead writers leave."),
	dur(UnderfsCleanupInterval, "1hour", "How often the primary master sweeps the under storages (alluxio.underfs.cleanup.enabled); "+
		"each sweep lists every directory of every writable local store, and the open uploads of an S3 one. Alluxio's default is 1day."),
	flag(MasterRetryCacheEnabled, "true", "Whether the master remembers recent operation ids so a retried call is not applied twice."),
	num(MasterRetryCacheSize, "100000", "Number of operation ids the retry cache holds."),
	str(MasterBackupDirectory, "/alluxio_backups", "Directory in the root UFS where alluxio fsadmin backup writes backups."),
	str(MasterJournalInitFromBackup, "", "A backup (alluxio fsadmin backup; a local file or an under storage URI) that "+
		"alluxio format writes into the new journal, so the masters start with its metadata."),
	flag(DebugPprofEnabled, "false", "Whether the master's and worker's web ports serve Go profiles under /debug/pprof/."),
}

var journalKeys = []Key{
	enum(MasterJournalType, "EMBEDDED", []string{"EMBEDDED", "UFS"},
		"EMBEDDED replicates the journal with Raft among the masters; UFS writes it to a shared folder "+
			"and elects the primary through ZooKeeper. (Alluxio's NOOP, no journal at all, is not offered.)"),
	str(MasterJournalFolder, "${alluxio.work.dir}/journal", "Where the journal is stored (a local directory for EMBEDDED, a shared UFS path for UFS)."),
	num(MasterJournalCheckpointPeriodEntries, "2000000", "Journal entries written between checkpoints (snapshots)."),
	size(MasterJournalLogSizeBytesMax, "10MB", "A journal log file larger than this is completed and a new one started."),
	dur(MasterJournalFlushBatchTime, "100ms", "How long the journal waits to batch writes before flushing."),
	dur(MasterJournalFlushTimeout, "5min", "How long the master retries a failed journal flush before it gives up primacy."),
	dur(MasterJournalTailerSleepTime, "100ms", "How long a standby sleeps when it finds no new journal entries. Alluxio's default is 1sec; ours keeps standbys closer behind."),
	dur(MasterJournalTailerShutdownQuietWaitTime, "5sec", "How long the journal must be quiet before a standby "+
		"stops tailing and becomes primary."),
	dur(MasterJournalRetryInterval, "1sec", "Wait between retries of a failed journal operation."),
	dur(MasterJournalGCPeriod, "2min", "How often stale journal files are looked for and deleted."),
	dur(MasterJournalGCThreshold, "5min", "Minimum age of a stale journal file before it is deleted."),
	list(MasterEmbeddedJournalAddresses, "", "Comma separated host:port of every master's embedded journal; "+
		"empty means ${alluxio.master.hostname}:${alluxio.master.embedded.journal.port}."),
	num(MasterEmbeddedJournalPort, "19200", "Port of the embedded journal (Raft) server."),
	str(MasterEmbeddedJournalBindHost, "", "Address the embedded journal listens on; empty means all."),
	dur(MasterEmbeddedJournalElectionTimeoutMin, "500ms", "Lower bound of the Raft election timeout. "+
		"Alluxio's default is 10s; a shorter one makes failover faster."),
	dur(MasterEmbeddedJournalElectionTimeoutMax, "1s", "Upper bound of the Raft election timeout. "+
		"Alluxio's default is 20s; a shorter one makes failover faster."),
	dur(MasterEmbeddedJournalCatchupRetryWait, "1s", "Wait between attempts to catch up with the Raft log."),
	size(MasterEmbeddedJournalEntrySizeMax, "10MB", "Largest single journal entry."),
	size(MasterEmbeddedJournalFlushSizeMax, "160MB", "Most data flushed to the Raft log at once."),
	dur(MasterEmbeddedJournalWriteTimeout, "30sec", "How long a write to the Raft log may take before it fails."),
	dur(MasterEmbeddedJournalRetryCacheExpiryTime, "60s", "How long the Raft server remembers client call ids."),
	size(MasterEmbeddedJournalSnapshotReplicationChunkSize, "4MB", "Chunk size used to send a snapshot to a follower."),
	size(MasterEmbeddedJournalTransportMaxInboundMessageSize, "100MB", "Largest message the journal transport accepts."),
	dur(MasterEmbeddedJournalTransportRequestTimeout, "5sec", "Timeout of a request between journal servers."),
	dur(MasterEmbeddedJournalRaftClientRequestTimeout, "60sec", "Timeout of a request from a master to the Raft group."),
	dur(MasterEmbeddedJournalRaftClientRequestInterval, "100ms", "Base wait between retries of a Raft client request."),
}
