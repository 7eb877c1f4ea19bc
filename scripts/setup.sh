#!/usr/bin/env bash
# Installs what calico-migrate's tests and demo need, on a machine that never built anything:
# Node.js >= 20.19 and Go (Debian packages if missing; Go fetches a newer toolchain through its
# module proxy when needed), npm dependencies, shellcheck, and etcd, kube-apiserver and actionlint
# built from Go modules.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then say "missing: $*; install them (as root: apt-get install $*) and run again"; exit 1; fi
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null 2>&1; then
  say "node not found; installing Debian's nodejs and npm"
  apt_install nodejs npm
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  say "Node $(node --version) is too old: calico-migrate needs Node 20.19 or newer"
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  say "go not found; installing Debian's golang-go"
  apt_install golang-go ca-certificates
fi
# Debian's Go may be older than Kubernetes needs; GOTOOLCHAIN=auto fetches the required toolchain.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
command -v git >/dev/null 2>&1 || apt_install git

# npm ci only when node_modules is missing or older than the lock file. A linked node_modules (a
# git worktree sharing another checkout's) is left alone: npm ci would empty the linked folder.
if [ -L node_modules ]; then
  say "node_modules is a link to $(readlink node_modules); not reinstalling it"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# actionlint (built below) checks the CI examples' run: scripts with shellcheck when it is on PATH.
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's shellcheck (actionlint runs it on the CI examples)"
    apt_install shellcheck || say "shellcheck could not be installed; actionlint lints without it"
  else
    say "shellcheck not found: actionlint lints the CI examples without it (as root: apt-get install shellcheck)"
  fi
fi
bash scripts/cluster/build.sh all
