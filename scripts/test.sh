#!/usr/bin/env bash
# The test command: set-up (scripts/setup.sh), then build, unit tests, and integration and
# end-to-end tests against a real etcd and kube-apiserver started on 127.0.0.1 for the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# The Node setup.sh chose (.cache/node when the machine's is older than 24) runs everything below.
source scripts/node-env.sh
echo "[test] Node $(node --version) ($(command -v node))" >&2
npm test
# The benchmark at a smoke size: its whole flow (both clusters, the minimal client) stays runnable.
npm run -s bench -- --smoke
