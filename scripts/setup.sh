#!/usr/bin/env bash
# Sets up a fresh checkout: pnpm (pinned in package.json), dependencies (with ssh2's native
# crypto binding where a C++ toolchain is available), and a build.
# With --test-deps, also installs the system programs the tests run against (Debian/Ubuntu,
# as root): dash, busybox, openssh-server and -client, procps, docker.io, openssl, git.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! pnpm --version >/dev/null 2>&1; then
  corepack enable >/dev/null 2>&1 || true
  if ! pnpm --version >/dev/null 2>&1; then
    # Corepack cannot always verify signatures against a registry mirror; npm can install it.
    npm install --global --force "pnpm@${pnpm_version}" >/dev/null
  fi
fi

if [[ "${1-}" == "--test-deps" ]]; then
  missing=()
  command -v dash >/dev/null || missing+=(dash)
  command -v busybox >/dev/null || missing+=(busybox-static)
  command -v git >/dev/null || missing+=(git)
  command -v script >/dev/null || missing+=(bsdutils)
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  command -v ps >/dev/null || missing+=(procps)
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v openssl >/dev/null || missing+=(openssl)
  if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "setup: please install: ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

# ssh2 builds its optional native crypto binding at install (node-gyp; needs a C++ toolchain and
# python3, and falls back to its JavaScript ciphers without them). Build it against this Node's
# own headers when they are installed next to it, rather than downloading headers.
node_prefix=$(dirname "$(dirname "$(node -p process.execPath)")")
if [[ -z "${npm_config_nodedir-}" && -f "$node_prefix/include/node/node.h" ]]; then
  export npm_config_nodedir="$node_prefix"
fi

pnpm install --frozen-lockfile
pnpm run build
