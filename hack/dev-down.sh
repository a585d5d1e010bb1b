#!/usr/bin/env bash
# Stops what dev-up.sh started and removes its state.
source "$(dirname "$0")/lib.sh"

DEV="$REPO_DIR/.dev"
if [ -f "$DEV/pids" ]; then
  while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$DEV/pids"
  for _ in $(seq 1 20); do
    xargs -r kill -0 < "$DEV/pids" 2>/dev/null || break
    sleep 0.25
  done
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$DEV/pids"
fi
rm -rf "$DEV"
log "local environment stopped"
