#!/usr/bin/env bash
# The whole test suite: lint, unit tests with the race detector, fuzz smoke
# runs, and end-to-end tests over real processes. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
echo "== lint"
make --no-print-directory lint
echo "== unit tests (race detector on)"
go test -race -count=1 -timeout 10m ./internal/... ./client/... ./cmd/...
echo "== fuzz smoke"
./scripts/fuzz.sh 5s
echo "== end-to-end"
go build -o bin/alluxio ./cmd/alluxio
# Screenshots of the web UI test land here.
export ALLUXIO_TEST_ARTIFACTS="${ALLUXIO_TEST_ARTIFACTS:-$PWD/bin/test-artifacts}"
ALLUXIO_TEST_BINARY="$PWD/bin/alluxio" go test -count=1 -timeout 20m ./tests/...
