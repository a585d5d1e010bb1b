#!/usr/bin/env bash
# Starts a local control plane (etcd + kube-apiserver) and moto in the background, installs the
# Release CRD, and writes .dev/kubeconfig and .dev/env. `make dev-down` stops everything.
source "$(dirname "$0")/lib.sh"

DEV="$REPO_DIR/.dev"
if [ -f "$DEV/pids" ] && xargs -r kill -0 < "$DEV/pids" 2>/dev/null; then
  log "already running; source .dev/env (or make dev-down first)"
  exit 0
fi
rm -rf "$DEV"; mkdir -p "$DEV/etcd" "$DEV/certs" "$DEV/logs"

etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port); moto_port=$(free_port)
openssl genrsa -out "$DEV/certs/sa.key" 2048 2>/dev/null
openssl rsa -in "$DEV/certs/sa.key" -pubout -out "$DEV/certs/sa.pub" 2>/dev/null
token=$(openssl rand -hex 24)
# A static token in system:masters: the local user is a cluster admin, as with kind.
echo "$token,cutover-dev,cutover-dev,system:masters" > "$DEV/certs/tokens.csv"

start() { # start <name> <command...>: detached from this shell, output to .dev/logs
  local name=$1; shift
  setsid nohup "$@" > "$DEV/logs/$name.log" 2>&1 < /dev/null &
  echo $! >> "$DEV/pids"
}
start etcd "$KUBE_BIN_DIR/etcd" --data-dir "$DEV/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --unsafe-no-fsync
start kube-apiserver "$KUBE_BIN_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" --cert-dir "$DEV/certs" \
  --secure-port "$api_port" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
  --service-cluster-ip-range 10.0.0.0/24 \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$DEV/certs/sa.pub" \
  --service-account-signing-key-file "$DEV/certs/sa.key" \
  --token-auth-file "$DEV/certs/tokens.csv" \
  --authorization-mode RBAC --disable-admission-plugins ServiceAccount
start moto "$MOTO_VENV/bin/python" "$REPO_DIR/operator/src/test/resources/dev/cutover/testworld/moto_server.py" \
  -H 127.0.0.1 -p "$moto_port"

cat > "$DEV/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: cutover-dev
  cluster:
    server: https://127.0.0.1:$api_port
    insecure-skip-tls-verify: true
users:
- name: cutover-dev
  user:
    token: $token
contexts:
- name: cutover-dev
  context: {cluster: cutover-dev, user: cutover-dev, namespace: default}
current-context: cutover-dev
KUBECONFIG
cat > "$DEV/env" <<ENV
# source .dev/env: the local control plane and the EC2 emulator, with dummy AWS credentials.
export KUBECONFIG="$DEV/kubeconfig"
export CUTOVER_EC2_ENDPOINT="http://127.0.0.1:$moto_port"
export AWS_REGION="us-east-1"
export AWS_ACCESS_KEY_ID="testing"
export AWS_SECRET_ACCESS_KEY="testing"
export PATH="$KUBE_BIN_DIR:\$PATH"
ENV

log "waiting for kube-apiserver on 127.0.0.1:$api_port and moto on 127.0.0.1:$moto_port"
for _ in $(seq 1 120); do
  if curl -skf -H "Authorization: Bearer $token" "https://127.0.0.1:$api_port/readyz" >/dev/null \
     && curl -sf "http://127.0.0.1:$moto_port/moto-api/data.json" >/dev/null; then
    "$KUBE_BIN_DIR/kubectl" --kubeconfig "$DEV/kubeconfig" apply -f "$REPO_DIR/crds/" >/dev/null
    "$KUBE_BIN_DIR/kubectl" --kubeconfig "$DEV/kubeconfig" wait --for condition=Established \
      crd/releases.cutover.dev --timeout 30s >/dev/null
    log "ready: source .dev/env, then kubectl get ns / kubectl get rel -A"
    exit 0
  fi
  if ! xargs -r kill -0 < "$DEV/pids" 2>/dev/null; then break; fi
  sleep 0.5
done
log "the local environment did not start; logs in .dev/logs:"
tail -5 "$DEV"/logs/*.log >&2
"$HACK_DIR/dev-down.sh"
exit 1
