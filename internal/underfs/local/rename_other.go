//go:build !(linux && (amd64 || arm64))

package local

// renameNoReplace renames src to dst unless dst exists; without
// renameat2 the check comes just before the rename.
func renameNoReplace(src, dst string) error { return renameChecked(src, dst) }
