#!/usr/bin/env bash
# The whole test suite: lint, unit tests with the race detector, fuzz smoke
# runs, and end-to-end tests over real processes. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# gotest runs go test and, when it fails, repeats the failing tests' own
# messages at the end (scripts/failures.awk): a failing cluster test's
# output is mostly its processes' logs, and CI shows only the last lines.
gotest() {
	local out rc=0
	out=$(mktemp)
	go test "$@" 2>&1 | tee "$out" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "== failures (go test $*)"
		awk -f scripts/failures.awk "$out"
	fi
	rm -f "$out"
	return "$rc"
}
./scripts/deps.sh
echo "== lint"
make --no-print-directory lint
echo "== unit tests (race detector on)"
gotest -race -count=1 -timeout 10m ./internal/... ./client/... ./cmd/...
echo "== fuzz smoke"
./scripts/fuzz.sh 5s
echo "== end-to-end"
go build -o bin/alluxio ./cmd/alluxio
# Screenshots of the web UI test land here.
export ALLUXIO_TEST_ARTIFACTS="${ALLUXIO_TEST_ARTIFACTS:-$PWD/bin/test-artifacts}"
ALLUXIO_TEST_BINARY="$PWD/bin/alluxio" gotest -count=1 -timeout 20m ./tests/...
