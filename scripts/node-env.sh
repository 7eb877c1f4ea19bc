# Sourced by scripts/setup.sh, test.sh, demo.sh: puts the Node that setup.sh installed into
# .cache/node (when the machine's Node is older than 24) first on PATH, so npm, mocha, tsx and
# every child process the tests spawn (`node`, process.execPath) run on it.
_cm_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
CALICO_MIGRATE_NODE_DIR="${CALICO_MIGRATE_CACHE:-$_cm_root/.cache}/node"
if [ -x "$CALICO_MIGRATE_NODE_DIR/bin/node" ]; then
  case ":$PATH:" in
    *":$CALICO_MIGRATE_NODE_DIR/bin:"*) ;;
    *) export PATH="$CALICO_MIGRATE_NODE_DIR/bin:$PATH" ;;
  esac
fi
unset _cm_root
