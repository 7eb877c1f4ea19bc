#!/usr/bin/env bash
# Installs what calico-migrate's tests and demo need, on a machine that never built anything:
# Node.js 24 (the pinned release below from the npm registry's official binaries into .cache/node
# when the machine's Node is older than 24; Debian's nodejs/npm only to bootstrap npm when there is
# none), Go (Debian's golang-go if missing; Go fetches a newer toolchain through its module proxy
# when needed), npm dependencies, shellcheck, and etcd, kube-apiserver and actionlint built from
# Go modules.
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

# calico-migrate needs Node >= 22.19 (package.json engines); the scripts run on Node 24, the
# active LTS. The npm package node-linux-<arch> holds the official Node binaries, so the npm
# registry (which the dependencies need anyway) is the only download.
NODE_VERSION=24.22.3
source scripts/node-env.sh
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

install_node() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) say "no Node $NODE_VERSION binary for $(uname -m) on the npm registry; install Node 24 and run again"; exit 1 ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found; installing Debian's nodejs and npm to fetch Node $NODE_VERSION with"
    apt_install nodejs npm
  fi
  say "Node $(node --version 2>/dev/null || echo none) is older than 24; installing Node $NODE_VERSION (npm package node-linux-$arch) into $CALICO_MIGRATE_NODE_DIR"
  local tmp
  tmp="$(mktemp -d)"
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack "node-linux-$arch@$NODE_VERSION" --silent --no-audit --no-fund >/dev/null)
  mkdir -p "$tmp/node"
  tar -xzf "$tmp"/node-linux-"$arch"-"$NODE_VERSION".tgz -C "$tmp/node" --strip-components=1 package/bin/node package/LICENSE
  if [ "$("$tmp/node/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    say "the Node $NODE_VERSION binary from node-linux-$arch does not run here ($("$tmp/node/bin/node" --version 2>&1 | head -1))"
    rm -rf "$tmp"; exit 1
  fi
  rm -rf "$CALICO_MIGRATE_NODE_DIR"
  mkdir -p "$(dirname "$CALICO_MIGRATE_NODE_DIR")"
  mv "$tmp/node" "$CALICO_MIGRATE_NODE_DIR"
  rm -rf "$tmp"
  source scripts/node-env.sh
  hash -r
}

# A Node left in .cache/node by another pin goes first, so that npm (run by the `node` on PATH)
# does not run on it and the check below sees the machine's Node.
if [ -x "$CALICO_MIGRATE_NODE_DIR/bin/node" ] && [ "$("$CALICO_MIGRATE_NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "$CALICO_MIGRATE_NODE_DIR holds Node $("$CALICO_MIGRATE_NODE_DIR/bin/node" --version 2>&1 | head -1), not the pinned $NODE_VERSION; removing it"
  rm -rf "$CALICO_MIGRATE_NODE_DIR"
  hash -r
fi
if [ "$(node_major)" -lt 24 ]; then install_node; fi
if ! command -v npm >/dev/null 2>&1; then
  say "npm not found; installing Debian's npm"
  apt_install npm
fi
say "Node $(node --version) ($(command -v node)), npm $(npm --version)"
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
