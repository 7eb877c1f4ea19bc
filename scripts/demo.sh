#!/usr/bin/env bash
# The demo command: set-up (scripts/setup.sh), build, then the whole migration on a throwaway
# local cluster (scripts/demo/demo.ts). Pass --keep to leave the cluster running afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# The Node setup.sh chose (.cache/node when the machine's is older than 24) runs everything below.
source scripts/node-env.sh
echo "[demo] Node $(node --version) ($(command -v node))" >&2
npm run -s build
exec node --import tsx scripts/demo/demo.ts "$@"
