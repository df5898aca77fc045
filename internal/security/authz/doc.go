// Package authz decides what a user may do to the namespace: POSIX
// permission bits, the sticky bit and POSIX ACLs, checked the way HDFS and
// Alluxio check them. Its functions are pure: they look at the user (name,
// groups, whether a superuser) and at copies of the inodes along a path,
// root first, and either allow the operation or return the denial in
// Alluxio's words, e.g.
//
//	Permission denied: user=bob, access=-w-, path=/a/f: failed at a,
//	inode owner=alice, inode group=staff, inode mode=rwxr-xr-x
//
// The master gathers the inodes under the path locks it holds for the
// operation and calls these functions before it journals anything; a
// replica replaying the journal never checks again.
package authz
