# Prints the failing tests of `go test` output without the lines that the
# test clusters forward from their processes (output.go), so that a
# failure's own messages end the output of a run where a reader of only
# its last lines will see them.
/^[ ]*--- FAIL: / { infail = 1; print; next }
infail && /^[ \t]/ {
	if ($0 ~ /^[ \t]+output\.go:[0-9]+: /) { skipped++; next }
	# Continuation lines of a forwarded line are indented deeper; keep
	# only lines that start a message of the test itself.
	if ($0 !~ /^[ \t]+[A-Za-z0-9_]+\.go:[0-9]+: / && $0 !~ /^[ ]*--- /) next
	print substr($0, 1, 400)
	next
}
{ if (infail && skipped) { printf "    (%d lines of process output left out)\n", skipped } infail = 0; skipped = 0 }
