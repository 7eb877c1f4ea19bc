#!/usr/bin/env bash
# Builds etcd, kube-apiserver and actionlint (which lints the CI examples) from Go modules into
# the project's git-ignored cache.
# A warm cache (binary present and built from the same pinned versions) skips the build.
set -euo pipefail

ETCD_VERSION="${ETCD_VERSION:-v3.5.35}"
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${CALICO_MIGRATE_CACHE:-$root/.cache}"
bin="$cache/bin"
work="$cache/build"
mkdir -p "$bin" "$work"

log() { printf '[build] %s\n' "$*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "go is not installed; install Go 1.24 or newer (Debian: apt-get install golang-go)"
    exit 1
  fi
}

# $1 = stamp file, $2 = expected content; true when the binary was built from the same inputs.
is_warm() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

build_etcd() {
  local stamp="$bin/etcd.version" want="etcd $ETCD_VERSION"
  if is_warm "$stamp" "$want" && [ -x "$bin/etcd" ]; then log "etcd $ETCD_VERSION: cached"; return; fi
  need_go
  log "etcd $ETCD_VERSION: building from Go modules"
  local dir="$work/etcd-$ETCD_VERSION"
  rm -rf "$dir"; mkdir -p "$dir"
  # go install refuses server/v3 because its go.mod has replace lines; a wrapper module does not.
  cat >"$dir/go.mod" <<MOD
module calico-migrate.local/etcd

go 1.22

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat >"$dir/main.go" <<'SRC'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
SRC
  (cd "$dir" && go mod tidy >/dev/null && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" .)
  mv "$bin/etcd.tmp" "$bin/etcd"
  echo "$want" >"$stamp"
}

build_kube_apiserver() {
  local stamp="$bin/kube-apiserver.version" want="kube-apiserver $KUBE_VERSION"
  if is_warm "$stamp" "$want" && [ -x "$bin/kube-apiserver" ]; then log "kube-apiserver $KUBE_VERSION: cached"; return; fi
  need_go
  log "kube-apiserver $KUBE_VERSION: building from Go modules (several minutes when the Go cache is cold)"
  local dir="$work/kube-apiserver-$KUBE_VERSION"
  rm -rf "$dir"; mkdir -p "$dir"
  local gomod staging minor
  gomod="$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$gomod" ] || { log "could not download k8s.io/kubernetes@$KUBE_VERSION"; exit 1; }
  # k8s.io/kubernetes points each staging module at ./staging with replace lines that Go ignores
  # in a dependency, so the wrapper pins every one of them to the matching v0.X.Y tag.
  minor="v0.${KUBE_VERSION#v1.}"
  staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/.*#\1#p' "$gomod" | sort -u)"
  {
    echo "module calico-migrate.local/kube-apiserver"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    for m in $staging; do echo "replace $m => $m $minor"; done
  } >"$dir/go.mod"
  cat >"$dir/main.go" <<'SRC'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
SRC
  # A staging module the server never imports may lack a v0.X.Y tag; point it at an empty local stub.
  local m
  for m in $staging; do
    if ! (cd "$dir" && go list -m "$m@$minor" >/dev/null 2>&1); then
      log "no $m@$minor; using a local stub"
      mkdir -p "$dir/stub/$m"
      echo "module $m" >"$dir/stub/$m/go.mod"
      sed -i "s#^replace $m => $m $minor\$#replace $m => ./stub/$m#" "$dir/go.mod"
    fi
  done
  (cd "$dir" && go mod tidy >/dev/null 2>&1 || go mod tidy)
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" \
      -o "$bin/kube-apiserver.tmp" .)
  mv "$bin/kube-apiserver.tmp" "$bin/kube-apiserver"
  echo "$want" >"$stamp"
}

build_actionlint() {
  local stamp="$bin/actionlint.version" want="actionlint $ACTIONLINT_VERSION"
  if is_warm "$stamp" "$want" && [ -x "$bin/actionlint" ]; then log "actionlint $ACTIONLINT_VERSION: cached"; return; fi
  need_go
  log "actionlint $ACTIONLINT_VERSION: building from Go modules"
  # A private GOBIN, then one rename: a half-written binary never sits under the stamp.
  local gobin="$work/actionlint-$ACTIONLINT_VERSION"
  rm -rf "$gobin"; mkdir -p "$gobin"
  CGO_ENABLED=0 GOBIN="$gobin" go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  mv "$gobin/actionlint" "$bin/actionlint"
  echo "$want" >"$stamp"
}

case "${1:-all}" in
  etcd) build_etcd ;;
  kube-apiserver) build_kube_apiserver ;;
  actionlint) build_actionlint ;;
  all) build_etcd; build_kube_apiserver; build_actionlint ;;
  *) log "usage: build.sh [etcd|kube-apiserver|actionlint|all]"; exit 2 ;;
esac
