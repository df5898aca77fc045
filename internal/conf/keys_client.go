package conf

var workerKeys = []Key{
	str(WorkerHostname, "", "Hostname of this worker as clients reach it; empty means the local hostname."),
	str(WorkerBindHost, "0.0.0.0", "Address the worker's RPC and data server listens on."),
	num(WorkerRPCPort, "29999", "RPC and data port of the worker."),
	str(WorkerWebHostname, "", "Hostname the worker's web UI advertises; empty means the worker's hostname."),
	str(WorkerWebBindHost, "0.0.0.0", "Address the worker's web server listens on."),
	num(WorkerWebPort, "30000", "Port of the worker's web UI."),
	str(WorkerDataFolder, "/alluxioworker/", "Folder under each tier directory that holds the worker's blocks."),
	size(WorkerRamdiskSize, "1GB", "Capacity of the memory tier. Alluxio's default is two thirds of the machine's memory."),
	dur(WorkerBlockHeartbeatInterval, "1sec", "How often the worker reports block changes to the primary master."),
	dur(WorkerBlockHeartbeatTimeout, "${alluxio.worker.master.connect.retry.timeout}",
		"The worker exits when it cannot heartbeat to a master for this long."),
	dur(WorkerMasterConnectRetryTimeout, "1hour", "How long the worker keeps trying to reach a master."),
	num(WorkerTieredstoreLevels, "1", "Number of storage tiers; each level has alluxio.worker.tieredstore.level<N>.* keys."),
}

var userKeys = []Key{
	enum(UserFileWriteTypeDefault, "ASYNC_THROUGH", []string{"MUST_CACHE", "CACHE_THROUGH", "THROUGH", "ASYNC_THROUGH"},
		"How a client writes a new file: only to Alluxio, to Alluxio and the UFS, only to the UFS, or to Alluxio then the UFS later."),
	enum(UserFileReadTypeDefault, "CACHE", []string{"NO_CACHE", "CACHE", "CACHE_PROMOTE"},
		"Whether data read from the UFS or a lower tier is cached, and promoted to the top tier."),
	size(UserBlockSizeBytesDefault, "64MB", "Block size of new files; at least 1MB."),
	enum(UserFileMetadataLoadType, "ONCE", []string{"ALWAYS", "NEVER", "ONCE"},
		"When metadata of paths not yet in Alluxio is loaded from the UFS."),
	dur(UserFileMetadataSyncInterval, "-1", "How stale metadata may be before it is synced with the UFS; -1 means never, 0 every access."),
	dur(UserFileCreateTTL, "-1", "Time to live of new files; -1 means none."),
	enum(UserFileCreateTTLAction, "FREE", []string{"FREE", "DELETE", "DELETE_ALLUXIO"},
		"What happens to a file whose TTL expires."),
	size(UserFileBufferBytes, "8MB", "Size of a client's file read and write buffer; 1B to 1GB."),
	dur(UserRPCRetryBaseSleep, "50ms", "First wait between retries of a client RPC; it doubles each time."),
	dur(UserRPCRetryMaxSleep, "3sec", "Longest wait between retries of a client RPC."),
	dur(UserRPCRetryMaxDuration, "2min", "How long a client retries an RPC before it fails."),
	flag(UserShortCircuitEnabled, "true", "Whether a client on a worker's host reads the worker's block files directly."),
	dur(UserStreamingDataTimeout, "30sec", "How long a client waits for the next chunk of a data stream."),
	num(UserFileReadAheadBlocks, "2", "How many blocks past the one it reads a sequential reader of an uncached file has a worker "+
		"cache ahead of it (0 to 64; 0 turns it off). Not an Alluxio 2.9 key."),
	size(UserNetworkStreamingMaxInboundMessageSize, "100MB", "Largest message a client accepts on a data stream."),
}

var securityKeys = []Key{
	enum(SecurityAuthenticationType, "SIMPLE", []string{"NOSASL", "SIMPLE", "CUSTOM"},
		"How callers are identified: NOSASL not at all (no owners, no permission checks), SIMPLE by the login name "+
			"the client sends (or, with alluxio.network.tls.enabled, by its certificate). CUSTOM is refused: mutual TLS "+
			"takes its place."),
	flag(SecurityAuthorizationPermissionEnabled, "true", "Whether POSIX-style permissions are checked."),
	str(SecurityAuthorizationPermissionUmask, "022", "Octal umask applied to new files and directories."),
	str(SecurityAuthorizationPermissionSupergroup, "supergroup", "Members of this group are superusers."),
	str(SecurityGroupMappingClass, "alluxio.security.group.provider.ShellBasedUnixGroupsMapping",
		"Where the master finds a user's groups; the one mapping is the OS's (its user and group databases, NSS included)."),
	flag(SecurityBlockCapabilityEnabled, "true", "Whether workers serve blocks only with a capability the master signed "+
		"(an HMAC over file, user, access and expiry, like HDFS block tokens)."),
	dur(SecurityBlockCapabilityLifetime, "1hour", "How long a block capability the master hands out is valid."),
	dur(SecurityGroupMappingCacheTimeout, "1min", "How long the master keeps a user's groups before asking the OS again; 0 asks every time."),
	str(SecurityGroupMappingStatic, "", "Fixed groups for users the OS does not know, as Hadoop's "+
		"hadoop.user.group.static.mapping.overrides: user1=group1,group2;user2=; (primary group first); asked before the OS."),
	str(SecurityLoginUsername, "", "User name a client logs in as; empty means the OS user. With TLS on the "+
		"certificate's common name is the user instead."),
	str(SecurityWebLoginUsername, "dr.who", "User of a web UI request that names none (user.name=) under SIMPLE "+
		"authentication, as Hadoop's hadoop.http.staticuser.user: it gets only the \"other\" permission bits unless "+
		"the groups or ACLs name it."),
}

var zookeeperKeys = []Key{
	flag(ZookeeperEnabled, "false", "Whether masters elect the primary through ZooKeeper (used with the UFS journal)."),
	list(ZookeeperAddress, "", "Comma separated host:port of the ZooKeeper servers, e.g. zk1:2181,zk2:2181,zk3:2181."),
	str(ZookeeperElectionPath, "/alluxio/election", "ZooKeeper path of the leader election."),
	str(ZookeeperLeaderPath, "/alluxio/leader", "ZooKeeper path under which the primary registers its address."),
	dur(ZookeeperSessionTimeout, "5s", "ZooKeeper session timeout; a primary that loses its session steps down. "+
		"Alluxio's default is 60s; a shorter one makes failover faster."),
	dur(ZookeeperConnectionTimeout, "15s", "How long to wait for a connection to ZooKeeper."),
	num(ZookeeperLeaderInquiryRetry, "10", "How many times one leader lookup asks ZooKeeper while no primary is registered, "+
		"waiting up to a second between tries (at least 1); the client's retry budget bounds it too."),
}
