// Package audit writes the master's audit log
// (alluxio.master.audit.logging.enabled): one line per metadata operation,
// in Alluxio's format, so the tools that read Alluxio's master_audit.log
// read ours:
//
//	succeeded=true	allowed=true	ugi=bob,staff (AUTH=SIMPLE)	ip=/127.0.0.1:53211	cmd=createFile	src=/a/f	dst=null	perm=bob:staff:rw-r--r--	executionTimeUs=42
//
// (fields separated by tabs, as Alluxio's are). An operation refused for
// lack of permission is logged with allowed=false.
//
// Lines are written asynchronously: the request path hands an Entry to a
// bounded queue and returns; one goroutine resolves the user's primary
// group, formats and writes. A full queue drops the entry and counts it
// rather than slow the master.
package audit
