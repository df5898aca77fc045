// Package s3 is the under file system of an S3 bucket, or a prefix of one,
// on Amazon S3 or any S3-compatible store, built on aws-sdk-go-v2.
// Importing it registers the "s3" and "s3a" schemes with package underfs:
//
//	alluxio fs mount /s3 s3://bucket/some/prefix \
//	  --option s3a.accessKeyId=KEY --option s3a.secretKey=SECRET \
//	  --option alluxio.underfs.s3.endpoint=http://127.0.0.1:9000 \
//	  --option alluxio.underfs.s3.disable.dns.buckets=true
//
// Without keys, credentials come from the AWS default chain (environment,
// ~/.aws/credentials and config, a profile, an instance role). The options
// are Alluxio's; docs/configuration.md lists them.
//
// Object store semantics, as Alluxio maps them: a file is an object; a
// directory is a common prefix ("dir/"), with or without a zero-byte marker
// object of that name. Mkdirs writes markers, and deleting a directory's
// last file keeps the directory (its parent gets a marker first). There
// are no permission bits or owners per object: every entry shows the
// mode and owner the store works out once from the bucket's ACL
// (alluxio.underfs.s3.inherit.acl), or alluxio.underfs.s3.default.mode
// (acl.go; see underfs.Capabilities).
//
// Writes stream: a file is a multipart upload whose parts (of
// alluxio.underfs.s3.streaming.upload.partition.size) go up in parallel
// while later ones are written, so a writer holds a few parts in memory
// whatever the file's size; a file smaller than a part is one PutObject.
// With alluxio.underfs.s3.streaming.upload.enabled=false the file goes to
// a local temporary file first and up when closed (spool.go).
// Nothing is visible before Close (or, for staged writes, Publish); an
// aborted write aborts its upload, and Cleanup aborts uploads that dead
// writers left.
//
// Renames copy (server side, in parallel) and delete; see
// underfs.Capabilities.RenameNotAtomic. Readers are pinned to the object
// they opened by its ETag (If-Match), which is also the Fingerprint that
// tells a replaced object from the one Alluxio knows.
package s3
