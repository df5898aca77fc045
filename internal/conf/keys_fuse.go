package conf

// Keys of `alluxio fuse mount` (Alluxio 2.9's names).
const (
	UserMetadataCacheEnabled        = "alluxio.user.metadata.cache.enabled"
	UserMetadataCacheMaxSize        = "alluxio.user.metadata.cache.max.size"
	UserMetadataCacheExpirationTime = "alluxio.user.metadata.cache.expiration.time"
	FuseUserGroupTranslationEnabled = "alluxio.fuse.user.group.translation.enabled"
	FuseLoggingThreshold            = "alluxio.fuse.logging.threshold"
)

var fuseKeys = []Key{
	flag(UserMetadataCacheEnabled, "false", "Whether a FUSE mount keeps file attributes in a cache of its own, "+
		"so repeated stat calls do not each ask the master; the mount's own changes keep it current."),
	num(UserMetadataCacheMaxSize, "100000", "How many paths the metadata cache holds at most."),
	dur(UserMetadataCacheExpirationTime, "10min", "How long a cached attribute is used before the master is asked again; "+
		"changes by other clients show after at most this long."),
	flag(FuseUserGroupTranslationEnabled, "false", "Whether a FUSE mount shows owners and groups as the local uid and gid "+
		"of the same name; otherwise every file shows the mounting user's."),
	dur(FuseLoggingThreshold, "10s", "FUSE operations slower than this are logged."),
}
