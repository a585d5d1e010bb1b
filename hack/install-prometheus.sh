#!/usr/bin/env bash
# Installs Prometheus for the metric-check tests: Debian's package, downloaded with apt (no root:
# the .deb is only unpacked) into the cache. A machine without apt needs a prometheus binary of
# this version at $PROMETHEUS.
source "$(dirname "$0")/lib.sh"

cached() {
  if [ -x "$PROMETHEUS" ] && "$PROMETHEUS" --version 2>&1 | grep -q "version $PROMETHEUS_VERSION"; then
    log "prometheus $PROMETHEUS_VERSION: cached in $PROMETHEUS_DIR"
    exit 0
  fi
}

cached
cache_lock "prometheus-$PROMETHEUS_VERSION"
cached
command -v apt-get >/dev/null || die "apt-get not found: put a prometheus $PROMETHEUS_VERSION binary at $PROMETHEUS"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "downloading Debian's prometheus package ($PROMETHEUS_VERSION)"
( cd "$work" && apt-get download "prometheus=$PROMETHEUS_VERSION*" >/dev/null 2>&1 \
    || apt-get download prometheus >/dev/null 2>&1 ) \
  || die "apt-get download prometheus failed (is the Debian mirror reachable? try apt-get update)"
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
rm -rf "$PROMETHEUS_DIR"
mkdir -p "$PROMETHEUS_DIR"
cp "$work/root/usr/bin/prometheus" "$PROMETHEUS"
"$PROMETHEUS" --version 2>&1 | grep -q "version $PROMETHEUS_VERSION" \
  || die "the package holds another prometheus version than $PROMETHEUS_VERSION: $("$PROMETHEUS" --version 2>&1 | head -1)"
log "prometheus $PROMETHEUS_VERSION installed in $PROMETHEUS_DIR"
