#!/usr/bin/env bash
# Runs the execkit CLI from this checkout, setting it up first if needed.
#   scripts/execkit.sh exec -- 'uname -a; echo $SHELL'
#   scripts/execkit.sh shell
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ ! -f "$root/apps/cli/dist/bin.js" || ! -f "$root/packages/core/dist/index.js" ]]; then
  bash "$root/scripts/setup.sh" >&2
fi
exec node "$root/apps/cli/bin/execkit.js" "$@"
