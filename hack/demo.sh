#!/usr/bin/env bash
# The five-minute story: a local control plane and EC2 emulator, the operator, and one Release
# taken through a blue/green, a switch back and the end of the retention period.
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

TTL=${DEMO_TTL:-25s}
NS=demo
NAME=storefront
JAR=$(ls operator/target/cutover-operator-*.jar | head -1)
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
elapsed() { echo $(( $(date +%s%N) / 1000000 - $1 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

cleanup() {
  if [ -n "${operator_pid:-}" ]; then
    kubectl delete rel "$NAME" -n "$NS" --wait=true --timeout=60s >/dev/null 2>&1 || true
    kill "$operator_pid" 2>/dev/null || true
    wait "$operator_pid" 2>/dev/null || true
  fi
  "$HACK_DIR/dev-down.sh"
}
trap cleanup EXIT

step "Starting a local kube-apiserver + etcd and the EC2 emulator (moto)"
"$HACK_DIR/dev-up.sh"
source .dev/env
ec2() { "$MOTO_VENV/bin/python" "$HACK_DIR/ec2.py" "$@"; }
read -r SUBNET EIP < <(ec2 setup)
echo "subnet $SUBNET, Elastic IP $EIP ($(ec2 eip "$EIP" | cut -d' ' -f1))"

step "Running the operator (logs in .dev/logs/operator.log)"
CUTOVER_POLL_INTERVAL=2s CUTOVER_HEALTH_PORT=0 java @helm/cutover/jvm.options -jar "$JAR" > .dev/logs/operator.log 2>&1 &
operator_pid=$!
kubectl create namespace "$NS" >/dev/null

step "Applying Release $NAME: version 1.0.0, 3 instances, previous fleet kept $TTL"
kubectl apply -n "$NS" -f - <<YAML
apiVersion: cutover.dev/v1alpha1
kind: Release
metadata: {name: $NAME}
spec:
  version: "1.0.0"
  fleetSize: 3
  template:
    imageId: ami-0123456789abcdef0
    instanceType: t3.small
    subnetIds: [$SUBNET]
    userData: |
      #!/bin/bash
      echo "storefront \${VERSION}" > /var/www/index.html
    tags: {team: web}
  elasticIp: {allocationId: $EIP}
  retention: {previousFleetTTL: $TTL}
YAML
start=$(now_ms)
kubectl wait -n "$NS" --for=condition=Ready "rel/$NAME" --timeout=120s >/dev/null
echo "1.0.0 is live after $(elapsed "$start") ms"
kubectl get rel -n "$NS"
echo "Elastic IP -> $(ec2 eip "$EIP")"

step "Releasing 2.0.0: a new fleet is launched beside production, then the Elastic IP moves"
start=$(now_ms)
kubectl patch rel "$NAME" -n "$NS" --type merge -p '{"spec":{"version":"2.0.0"}}' >/dev/null
kubectl wait -n "$NS" --for=jsonpath='{.status.activeFleet.version}'=2.0.0 "rel/$NAME" \
  --timeout=120s >/dev/null
switch_ms=$(elapsed "$start")
kubectl wait -n "$NS" --for=condition=Ready "rel/$NAME" --timeout=60s >/dev/null
echo "2.0.0 took over in $switch_ms ms (launch, verification and the switch)"
kubectl get rel -n "$NS"
echo "Elastic IP -> $(ec2 eip "$EIP")"
echo "previous fleet: $(kubectl get rel "$NAME" -n "$NS" -o jsonpath='{.status.previousFleet.version} until {.status.previousFleet.expiresAt}')"

step "Something is wrong with 2.0.0: switching back to 1.0.0 (retained, nothing is launched)"
start=$(now_ms)
kubectl patch rel "$NAME" -n "$NS" --type merge -p '{"spec":{"version":"1.0.0"}}' >/dev/null
kubectl wait -n "$NS" --for=jsonpath='{.status.activeFleet.version}'=1.0.0 "rel/$NAME" \
  --timeout=60s >/dev/null
back_ms=$(elapsed "$start")
echo "switched back in $back_ms ms"
kubectl get rel -n "$NS"
echo "Elastic IP -> $(ec2 eip "$EIP")"

step "2.0.0 is now the retained fleet; it is terminated when its $TTL are up"
kubectl wait -n "$NS" --for=jsonpath='{.status.previousFleet.version}'=2.0.0 "rel/$NAME" \
  --timeout=30s >/dev/null
start=$(now_ms)
until [ -z "$(kubectl get rel "$NAME" -n "$NS" -o jsonpath='{.status.previousFleet.id}')" ]; do
  sleep 1
done
echo "retained fleet terminated after $(elapsed "$start") ms"
kubectl get rel -n "$NS"

step "History and events"
kubectl get rel "$NAME" -n "$NS" -o jsonpath='{range .status.history[*]}{.at}  {.from} -> {.to}  ({.reason}){"\n"}{end}'
kubectl get events -n "$NS" --field-selector involvedObject.name="$NAME" \
  -o custom-columns=REASON:.reason,MESSAGE:.message --sort-by=.firstTimestamp | cut -c1-140

step "Summary"
read -r launched running terminated < <(ec2 count "$NS/$NAME")
switches=$(kubectl get rel "$NAME" -n "$NS" -o jsonpath='{.status.history[*].reason}' | wc -w)
cat <<SUMMARY
instances launched:    $launched
instances running:     $running
instances terminated:  $terminated
Elastic IP moves:      $switches (first release, blue/green, switch back)
blue/green to 2.0.0:   $switch_ms ms from the spec change (launch + verification + switch)
switch back to 1.0.0:  $back_ms ms from the spec change
SUMMARY
step "Cleaning up"
