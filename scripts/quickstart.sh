#!/usr/bin/env bash
# One command for a fresh machine: installs everything (Debian packages, npm dependencies, build),
# then deploys the example application to Pier's local control plane and shows it working.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/quickstart.mjs
