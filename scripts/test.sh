#!/usr/bin/env bash
# One command from a fresh checkout to a passing test suite: installs what the tests need,
# builds, and runs every package's tests against real shells.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test-deps
pnpm test
