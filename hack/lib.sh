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
# The metric-check tests run a real Prometheus: Debian's package, unpacked into the cache.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-2.42.0}"
PROMETHEUS_DIR="$CUTOVER_CACHE/prometheus-$PROMETHEUS_VERSION"
PROMETHEUS="$PROMETHEUS_DIR/prometheus"

export CUTOVER_CACHE KUBE_VERSION MOTO_VERSION KUBE_API_TEST_DIR KUBE_BIN_DIR MOTO_VENV MOTO_SERVER \
  PROMETHEUS_VERSION PROMETHEUS_DIR PROMETHEUS

log() { printf '[cutover] %s\n' "$*" >&2; }

die() { log "$*"; exit 1; }

# cache_lock NAME: holds an exclusive lock on $CUTOVER_CACHE/locks/NAME.lock until this script
# exits, so two runs at once (two checkouts, make test beside make demo) never build into or
# delete each other's directories: the second waits, then finds what the first installed.
# Scripts check the cache once before (a warm run takes no lock) and once more after locking.
cache_lock() {
  local file="$CUTOVER_CACHE/locks/$1.lock"
  mkdir -p "$CUTOVER_CACHE/locks"
  if ! command -v flock >/dev/null; then
    log "flock (util-linux) not found: installing $1 without a lock (no two installs at once)"
    return 0
  fi
  exec {CACHE_LOCK_FD}>>"$file"
  if ! flock -n "$CACHE_LOCK_FD"; then
    log "another run is installing $1: waiting for it (lock $file)"
    flock "$CACHE_LOCK_FD"
    log "lock on $1 acquired"
  fi
}

# go_version_key VERSION: a sortable key, in Go's order (https://go.dev/doc/toolchain#version):
# 1.26 < 1.26rc1 < 1.26.0 < 1.26.1. A go.mod "go 1.26" line is a language version (met by 1.26rc1).
go_version_key() {
  local v=${1#go} stage=0 n=0 minor=0
  v=${v%% *}
  if [[ $v =~ ^([0-9]+)\.([0-9]+)(rc|beta)([0-9]+)$ ]]; then
    minor=${BASH_REMATCH[2]}; n=${BASH_REMATCH[4]}
    if [ "${BASH_REMATCH[3]}" = beta ]; then stage=1; else stage=2; fi
  elif [[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
    minor=${BASH_REMATCH[2]}; stage=3; n=${BASH_REMATCH[3]}
  elif [[ $v =~ ^([0-9]+)\.([0-9]+)$ ]]; then
    minor=${BASH_REMATCH[2]}
  elif [[ $v =~ ^([0-9]+)$ ]]; then
    :
  else
    return 1
  fi
  printf '%05d%05d%d%05d\n' "${v%%[!0-9]*}" "$minor" "$stage" "$n"
}

# go_version_at_least HAVE NEED (Go version strings, with or without the "go" prefix).
# A development build ("devel go1.27-...") is taken to be new enough.
go_version_at_least() {
  local have need
  case "$1" in devel*) return 0 ;; esac
  have=$(go_version_key "$1") || return 1
  need=$(go_version_key "$2") || return 1
  [[ ! $have < $need ]]
}

# require_go MODULE_DIR WHAT: stops, before any build starts, when the Go toolchain cannot build
# MODULE_DIR (its go.mod "go" line is the minimum). go picks the toolchain from GOTOOLCHAIN: with
# "auto" (Go's default) an older go (1.21+) downloads the newer toolchain from the Go module proxy
# once; with "local" it never switches, and the build would fail later with a go.mod error.
require_go() {
  local dir=$1 what=$2 rel need installed mode selected
  rel=${dir#"$REPO_DIR"/}/go.mod
  need=$(sed -n 's/^go \([0-9][0-9a-z.]*\).*/\1/p' "$dir/go.mod" | head -1)
  [ -n "$need" ] || die "no go line in $rel"
  command -v go >/dev/null \
    || die "Go $need or newer is needed to build $what (the go line of $rel): see README"
  installed=$(cd "${TMPDIR:-/tmp}" && GOTOOLCHAIN=local GOWORK=off go env GOVERSION)
  mode=$(cd "${TMPDIR:-/tmp}" && go env GOTOOLCHAIN)
  if ! go_version_at_least "$installed" "$need"; then
    if [ "$mode" = local ]; then
      die "$what needs Go $need or newer (the go line of $rel), but the installed go is" \
        "$installed and GOTOOLCHAIN=local forbids switching: install Go $need+, or run with" \
        "GOTOOLCHAIN=auto so that go downloads go$need once through the module proxy" \
        "($(go env GOPROXY))"
    fi
    case "$mode" in
      *auto) log "the installed go is $installed; $rel needs $need: GOTOOLCHAIN=$mode lets go" \
               "download go$need (or newer) once through the module proxy ($(go env GOPROXY))" ;;
      *) log "the installed go is $installed; $rel needs $need: trying GOTOOLCHAIN=$mode" ;;
    esac
  fi
  # What go will actually run for this module (GOTOOLCHAIN may also name a fixed version).
  if ! selected=$(cd "$dir" && go env GOVERSION); then
    die "no Go toolchain for $rel (needs $need; installed $installed, GOTOOLCHAIN=$mode): see above"
  fi
  go_version_at_least "$selected" "$need" || die "$what needs Go $need or newer (the go line" \
    "of $rel), but GOTOOLCHAIN=$mode selects $selected"
  log "Go toolchain for $rel: $selected (needs $need)"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
