#!/usr/bin/env bash
# Builds the helm CLI (for `helm lint` and rendering the chart in tests) from the Go module proxy
# into the cache, once. The version is the one hack/helm/go.mod requires.
source "$(dirname "$0")/lib.sh"

version=$(grep -oE 'helm.sh/helm/v3 v[0-9.]+' "$HACK_DIR/helm/go.mod" | head -1 | cut -d' ' -f2)
HELM="$CUTOVER_CACHE/helm-$version/helm"
cached() {
  if [ -x "$HELM" ]; then
    log "helm $version: cached in $(dirname "$HELM")"
    exit 0
  fi
}

cached
require_go "$HACK_DIR/helm" "helm $version"
# One build at a time: a second run waits here, then finds the binary.
cache_lock "helm-$version"
cached
log "building helm $version from Go modules (first time only, a few minutes)"
start=$(date +%s)
mkdir -p "$(dirname "$HELM")"
( cd "$HACK_DIR/helm" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
    -o "$HELM.partial" helm.sh/helm/v3/cmd/helm )
mv "$HELM.partial" "$HELM"
log "built in $(( $(date +%s) - start ))s: $("$HELM" version --short)"
