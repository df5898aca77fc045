#!/usr/bin/env bash
# Runs every fuzz test in the module for the given time each (default 20s).
# A target that fails is shown and run once more: on a loaded 2-core machine
# the fuzzing engine itself now and then reports a worker as hung. A real
# finding fails both times (and leaves its input under testdata/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($t)"
    if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" >"$out" 2>&1; then
      tail -20 "$out"
      echo "fuzz $pkg $f failed; running it once more"
      if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" >"$out" 2>&1; then
        tail -40 "$out"
        exit 1
      fi
    fi
  done
done
