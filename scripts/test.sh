#!/usr/bin/env bash
# One command from a fresh checkout to a passing test suite: installs what the tests need,
# builds, and runs every package's tests against real shells. Ends with one summary line,
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-deps
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
pnpm test 2>&1 | tee "$log" || status=$?
# vitest prints "Tests  12 passed | 1 failed (13)" per package; strip colours and add them up.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  / Tests / {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) passed += $i
      if ($(i + 1) ~ /^failed/) failed += $i
    }
  }
  END { printf "%d passed, %d failed\n", passed, failed }'
exit "$status"
