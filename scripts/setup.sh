#!/usr/bin/env bash
# Installs everything Pier's build, tests and quickstart need on a fresh Debian machine, then builds.
# Debian packages: awscli (`aws` on PATH, version 1 or 2: a third-party AWS client the conformance tests drive the local control
# plane with), tmux (drives interactive exec sessions in tests), util-linux's script(1) (pseudo-terminals),
# busybox-static (exec's exit-status wrapper is tested on BusyBox's sh and stty, as slim images have them, and
# it is the root file system the container driver's tests import as an image, since no registry may be reachable),
# podman with runc (the local control plane's container driver; crun fails on hosts with hybrid cgroups),
# iproute2 and iptables (a network namespace per task), the servers the local control plane runs for stacks'
# databases and caches: postgresql (RDS postgres and aurora-postgresql), mariadb-server (RDS mysql, mariadb,
# aurora-mysql), redis-server (ElastiCache); and unzip (reads back the archives deploy makes of addons' local code).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
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
