#!/usr/bin/env bash
# Installs everything Pier's build, tests and quickstart need on a fresh Debian machine, then builds.
# Debian packages: awscli (`aws` on PATH, version 1 or 2: a third-party AWS client the conformance tests drive the local control
# plane with), tmux (drives interactive exec sessions in tests), util-linux's script(1) (pseudo-terminals).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${need[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Please install these packages first: ${need[*]} (tests that need them are skipped without them)." >&2
  fi
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
