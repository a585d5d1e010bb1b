#!/usr/bin/env bash
# Installs moto's server (the EC2 API emulator) into a virtualenv in the cache.
source "$(dirname "$0")/lib.sh"

marker="$MOTO_VENV/.installed"
cached() {
  if [ -f "$marker" ] && [ -x "$MOTO_SERVER" ]; then
    log "moto $MOTO_VERSION: cached in $MOTO_VENV"
    exit 0
  fi
}

cached
# One install at a time: a second run waits here (instead of deleting the venv being built),
# then finds it installed.
cache_lock "moto-$MOTO_VERSION"
cached
log "installing moto[server]==$MOTO_VERSION into $MOTO_VENV"
rm -rf "$MOTO_VENV"
python3 -m venv "$MOTO_VENV"
"$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
touch "$marker"
log "moto $MOTO_VERSION installed"
