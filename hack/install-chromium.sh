#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver for the live release page's browser test
# (DashboardIT): Debian's chromium and chromium-driver packages. Unlike the other tools they are
# not unpacked into the cache: Chromium needs the shared libraries its package depends on, which
# only apt installs, so this needs root (or a machine where an administrator installed both).
source "$(dirname "$0")/lib.sh"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

cached() {
  if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
    log "chromium: installed ($("$CHROMEDRIVER" --version 2>/dev/null | head -1))"
    exit 0
  fi
}

cached
cache_lock chromium
cached
command -v apt-get >/dev/null \
  || die "apt-get not found: install Chromium and its chromedriver so that $CHROMIUM and $CHROMEDRIVER exist"
[ "$(id -u)" = 0 ] \
  || die "chromium is not installed and this is not root: run 'sudo apt-get install chromium chromium-driver' (the browser test of the release page needs $CHROMIUM and $CHROMEDRIVER)"
log "installing Debian's chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null; then
  log "apt-get install failed: updating the package lists and trying again"
  apt-get update >/dev/null || die "apt-get update failed (is the Debian mirror reachable?)"
  apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null \
    || die "apt-get install chromium chromium-driver failed"
fi
[ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] \
  || die "the packages are installed but $CHROMIUM or $CHROMEDRIVER is missing"
log "chromium installed ($("$CHROMEDRIVER" --version 2>/dev/null | head -1))"
