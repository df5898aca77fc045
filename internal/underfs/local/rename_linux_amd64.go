package local

// sysRenameat2 is renameat2's number on linux/amd64; package syscall's
// table for amd64 predates it.
const sysRenameat2 = 316
