#!/usr/bin/env bash
# Makes a real kube-apiserver, etcd and kubectl available where kube-api-test looks for them.
# Order: binaries already in the cache; binaries from $KUBEBUILDER_ASSETS; otherwise a build
# from the Go module proxy with the wrapper module in hack/kube-binaries (several minutes).
source "$(dirname "$0")/lib.sh"

have_all() { [ -x "$1/etcd" ] && [ -x "$1/kube-apiserver" ] && [ -x "$1/kubectl" ]; }
cached() {
  if have_all "$KUBE_BIN_DIR"; then
    log "kube-apiserver, etcd, kubectl $KUBE_VERSION: cached in $KUBE_BIN_DIR"
    exit 0
  fi
}

cached
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && have_all "$KUBEBUILDER_ASSETS"; then
  cache_lock "kube-$KUBE_VERSION"
  mkdir -p "$KUBE_BIN_DIR"
  for b in etcd kube-apiserver kubectl; do ln -sf "$KUBEBUILDER_ASSETS/$b" "$KUBE_BIN_DIR/$b"; done
  log "using the binaries in KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  exit 0
fi

module="$HACK_DIR/kube-binaries"
required=$(sed -n 's/^\tk8s.io\/kubernetes v\([0-9.]*\).*/\1/p' "$module/go.mod")
if [ "$required" != "$KUBE_VERSION" ]; then
  die "hack/kube-binaries/go.mod requires k8s.io/kubernetes v$required but KUBE_VERSION=$KUBE_VERSION"
fi
require_go "$module" "kube-apiserver, etcd and kubectl"

# One build at a time per version: a second run waits here, then finds the binaries.
cache_lock "kube-$KUBE_VERSION"
cached

work="$CUTOVER_CACHE/build-$KUBE_VERSION.partial"
rm -rf "$work"; mkdir -p "$work"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION"
ldflags+=" -X k8s.io/component-base/version.gitMajor=${KUBE_VERSION%%.*}"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
start=$(date +%s)
log "building kube-apiserver, etcd and kubectl $KUBE_VERSION from Go modules (first time only, several minutes)"

build() { # build <name> <package>
  local name=$1 pkg=$2 n=0
  log "  go build $pkg"
  # -v names each package as it is compiled: print a running count so a cold build shows progress.
  ( cd "$module" && CGO_ENABLED=0 go build -v -trimpath -tags selinux,notest -ldflags "$ldflags" \
      -o "$work/$name" "$pkg" ) 2> "$work/$name.log" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    n=$(grep -c . "$work/$name.log" || true)
    log "    $name: $n packages compiled, $(( $(date +%s) - start ))s elapsed"
  done
  if ! wait "$pid"; then
    log "building $name failed:"; tail -40 "$work/$name.log" >&2; exit 1
  fi
}
build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kubectl k8s.io/kubernetes/cmd/kubectl

mkdir -p "$KUBE_BIN_DIR"
for b in etcd kube-apiserver kubectl; do mv "$work/$b" "$KUBE_BIN_DIR/$b"; done
rm -rf "$work"
log "built in $(( $(date +%s) - start ))s: $("$KUBE_BIN_DIR/kube-apiserver" --version)"
