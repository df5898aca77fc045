package conf

// Keys of the S3 under storage (Alluxio's names). A mount takes them as
// mount options; set here (site file, -D, environment) they apply to every
// S3 mount that does not set them itself, and to an S3 root. The store
// checks each value again when a mount opens it (internal/underfs/s3), so a
// bad value names its key there too.
const (
	UnderfsS3Endpoint        = "alluxio.underfs.s3.endpoint"
	UnderfsS3Region          = "alluxio.underfs.s3.endpoint.region"
	UnderfsS3PathStyle       = "alluxio.underfs.s3.disable.dns.buckets"
	UnderfsS3SecureHTTP      = "alluxio.underfs.s3.secure.http.enabled"
	UnderfsS3UploadThreads   = "alluxio.underfs.s3.upload.threads.max"
	UnderfsS3PartSize        = "alluxio.underfs.s3.streaming.upload.partition.size"
	UnderfsS3StreamingUpload = "alluxio.underfs.s3.streaming.upload.enabled"
	UnderfsS3DefaultMode     = "alluxio.underfs.s3.default.mode"
	UnderfsS3OwnerMapping    = "alluxio.underfs.s3.owner.id.to.username.mapping"
	UnderfsS3InheritACL      = "alluxio.underfs.s3.inherit.acl"
	UnderfsS3UploadCleanAge  = "alluxio.underfs.s3.intermediate.upload.clean.age"
	UnderfsS3RequestTimeout  = "alluxio.underfs.s3.request.timeout"
	UnderfsS3SocketTimeout   = "alluxio.underfs.s3.socket.timeout"
	UnderfsS3MaxErrorRetry   = "alluxio.underfs.s3.max.error.retry"
	UnderfsS3ReadParallelism = "alluxio.underfs.s3.read.parallelism"
	UnderfsS3ConnectionsMax  = "alluxio.underfs.s3.connections.max"
)

// The defaults must equal the store's own (s3.DefaultConfig); a test there
// compares them.
var underfsKeys = []Key{
	str(UnderfsS3Endpoint, "", "The S3 endpoint (host[:port] or URL) of S3-compatible stores; empty for AWS itself."),
	str(UnderfsS3Region, "", "The S3 region; empty takes it from the AWS default chain."),
	flag(UnderfsS3PathStyle, "false", "Whether buckets are addressed in the path (http://host/bucket/key) instead of the host name."),
	flag(UnderfsS3SecureHTTP, "true", "Whether an endpoint given without a scheme is reached over HTTPS."),
	num(UnderfsS3UploadThreads, "20", "Part uploads and copies in flight per S3 store."),
	size(UnderfsS3PartSize, "16MB", "The size of each part of a streaming multipart upload (5MB to 5GB)."),
	flag(UnderfsS3StreamingUpload, "true", "Whether S3 writes stream as multipart uploads while the file is written; "+
		"false keeps each file in a temporary file of alluxio.tmp.dirs and uploads it when the file is closed."),
	str(UnderfsS3DefaultMode, "0700", "The permission bits (octal) every S3 object and directory shows when "+
		"alluxio.underfs.s3.inherit.acl is false or the bucket's ACL cannot be read (S3 keeps no mode)."),
	str(UnderfsS3OwnerMapping, "", "Maps S3 canonical owner ids to user names: id1=user1;id2=user2."),
	flag(UnderfsS3InheritACL, "true", "Whether the owner bits of the mode S3 objects and directories show come from "+
		"the bucket's ACL for the credentials' account (READ 0500, WRITE 0200, FULL_CONTROL 0700; group and other 0), "+
		"with that account as owner; false shows alluxio.underfs.s3.default.mode and no owner."),
	dur(UnderfsS3UploadCleanAge, "3day", "Multipart uploads left unfinished for longer than this are aborted by the master's sweeps."),
	dur(UnderfsS3RequestTimeout, "1min", "How long one S3 request may take before it is retried."),
	dur(UnderfsS3SocketTimeout, "50sec", "How long a connection to S3 may go without moving a byte while a request "+
		"sends its body or reads its response (a server that stalls mid-transfer) before the request fails and is retried."),
	num(UnderfsS3MaxErrorRetry, "3", "How often a failed S3 request is retried."),
	num(UnderfsS3ReadParallelism, "8", "How many ranged GETs a cold read of one block keeps in flight."),
	num(UnderfsS3ConnectionsMax, "64", "The most connections one S3 store keeps open."),
}
