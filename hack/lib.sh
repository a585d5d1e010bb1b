# Shared settings for the scripts in hack/. Sourced, not run.
# Everything installed lives in a per-user cache outside the repository, so a warm machine
# never rebuilds and a fresh clone reuses what is there.
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$HACK_DIR")"

CUTOVER_CACHE="${CUTOVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cutover}"
KUBE_VERSION="${KUBE_VERSION:-1.34.4}"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"

# kube-api-test looks for <dir>/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}.
KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-$CUTOVER_CACHE/kubeapitest}"
KUBE_BIN_DIR="$KUBE_API_TEST_DIR/k8s/$KUBE_VERSION-linux-amd64"
MOTO_VENV="$CUTOVER_CACHE/moto-$MOTO_VERSION"
MOTO_SERVER="$MOTO_VENV/bin/moto_server"

export CUTOVER_CACHE KUBE_VERSION MOTO_VERSION KUBE_API_TEST_DIR KUBE_BIN_DIR MOTO_VENV MOTO_SERVER

log() { printf '[cutover] %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
