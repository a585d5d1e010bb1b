#!/usr/bin/env bash
# Builds (or installs) the kubectl plugin `kubectl cutover` from the packaged operator:
#   hack/plugin.sh build             writes operator/target/kubectl-cutover
#   hack/plugin.sh install PREFIX    copies it with its jars to PREFIX/bin and PREFIX/lib
# The launcher starts the JVM with flags for a short-lived command line and a class-data
# archive (AppCDS) recorded from a training run of the plugin's commands; a missing or stale
# archive is ignored silently (the JVM then loads every class from the jars).
source "$(dirname "$0")/lib.sh"

TARGET="$REPO_DIR/operator/target"
MAIN=dev.cutover.plugin.KubectlCutover

# The jars the plugin loads classes from: the Kubernetes client and its model (the client's
# constructor needs every API group's), Jackson, YAML (kubeconfig) and the slf4j API. The
# operator's other dependencies (AWS SDK, JOSDK, log4j, metrics) are left off the class path,
# which keeps class lookup short.
PLUGIN_JARS=(kubernetes-client-[0-9]* kubernetes-client-api-* kubernetes-httpclient-jdk-*
  kubernetes-model-* jackson-annotations-* jackson-core-*
  jackson-databind-* jackson-dataformat-yaml-* jackson-datatype-jsr310-* snakeyaml-[0-9]*
  snakeyaml-engine-* slf4j-api-* zjsonpatch-*)

# JVM flags for a command that runs for a second: C1 only, the serial collector, class data
# sharing, no perf-data file, and slf4j without a logging backend (fabric8 logs nothing).
JVM_FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData"
JVM_FLAGS+=" -Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider -Dslf4j.internal.verbosity=WARN"

# write_launcher LIBDIR LAUNCHER: the plugin whose jars are in LIBDIR, its archive beside them.
write_launcher() {
  local lib=$1 launcher=$2 classpath="" jar
  for pattern in "cutover-operator-*.jar" "${PLUGIN_JARS[@]}"; do
    for jar in "$lib"/$pattern; do
      [ -f "$jar" ] || die "no $pattern in $lib: run make build first"
      classpath+="${classpath:+:}$jar"
    done
  done
  cat > "$launcher" <<LAUNCHER
#!/bin/sh
# kubectl cutover: Cutover's kubectl plugin (written by hack/plugin.sh; kubectl cutover --help).
CLASSPATH='$classpath'
ARCHIVE='$lib/kubectl-cutover.jsa'
JAVA="\${JAVA_HOME:+\$JAVA_HOME/bin/}java"
if [ -r "\$ARCHIVE" ]; then
  # A stale archive (jars rebuilt since) is refused by the JVM, which then goes on without it;
  # -Xlog:disable keeps that refusal off the command's output.
  exec "\$JAVA" $JVM_FLAGS -XX:SharedArchiveFile="\$ARCHIVE" -Xlog:disable -Xlog:all=error:stderr \\
    -cp "\$CLASSPATH" $MAIN "\$@"
fi
exec "\$JAVA" $JVM_FLAGS -cp "\$CLASSPATH" $MAIN "\$@"
LAUNCHER
  chmod +x "$launcher"
  # The training run: the archive records the classes the plugin's commands load, TLS
  # included (a key made for the run, as an API server's).
  rm -f "$lib/kubectl-cutover.jsa"
  local keys
  keys=$(mktemp -d)
  keytool -genkeypair -alias rehearsal -keyalg RSA -keysize 2048 -dname CN=127.0.0.1 \
    -ext san=ip:127.0.0.1 -validity 1 -storetype PKCS12 -keystore "$keys/rehearsal.p12" \
    -storepass rehearsal -keypass rehearsal 2>/dev/null
  keytool -exportcert -rfc -alias rehearsal -keystore "$keys/rehearsal.p12" \
    -storepass rehearsal -file "$keys/rehearsal.pem" 2>/dev/null
  java $JVM_FLAGS -XX:ArchiveClassesAtExit="$lib/kubectl-cutover.jsa" -Xlog:disable \
    -cp "$classpath" dev.cutover.plugin.Rehearsal "$keys/rehearsal.p12" "$keys/rehearsal.pem" \
    || log "the training run failed: kubectl-cutover works, only without its class-data archive"
  rm -rf "$keys"
}

# copy_jars OPERATOR_JAR FROM TO: the operator jar and the plugin's jars from FROM.
copy_jars() {
  local operator=$1 from=$2 to=$3 pattern
  mkdir -p "$to"
  rm -f "$to"/*.jar "$to"/kubectl-cutover.jsa
  cp -p "$operator" "$to"/
  for pattern in "${PLUGIN_JARS[@]}"; do
    cp -p "$from"/$pattern "$to"/ 2>/dev/null || die "no $pattern in $from: run make build first"
  done
}

case "${1:-}" in
  build)
    [ -d "$TARGET/lib" ] || die "no operator/target/lib: run make build first"
    # The jars beside each other, with the archive that describes them.
    copy_jars "$(ls "$TARGET"/cutover-operator-*.jar | head -1)" "$TARGET/lib" \
      "$TARGET/kubectl-cutover-lib"
    write_launcher "$TARGET/kubectl-cutover-lib" "$TARGET/kubectl-cutover"
    log "built $TARGET/kubectl-cutover (make install-plugin puts it on PATH)"
    ;;
  install)
    prefix=${2:?usage: hack/plugin.sh install PREFIX}
    [ -x "$TARGET/kubectl-cutover" ] || die "run make plugin first"
    mkdir -p "$prefix/bin"
    copy_jars "$(ls "$TARGET"/kubectl-cutover-lib/cutover-operator-*.jar | head -1)" \
      "$TARGET/kubectl-cutover-lib" "$prefix/lib/kubectl-cutover"
    write_launcher "$prefix/lib/kubectl-cutover" "$prefix/bin/kubectl-cutover"
    log "installed $prefix/bin/kubectl-cutover (its jars and archive in $prefix/lib/kubectl-cutover)"
    case ":$PATH:" in
      *":$prefix/bin:"*) log "try: kubectl cutover --help" ;;
      *) log "$prefix/bin is not on PATH: add it (export PATH=\"$prefix/bin:\$PATH\"), then kubectl cutover --help" ;;
    esac
    ;;
  *) die "usage: hack/plugin.sh build | install PREFIX" ;;
esac
