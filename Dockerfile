# The operator image: ghcr.io/cutover-dev/cutover-operator.
# Build the jar first (`make build` writes operator/target/cutover-operator-*.jar and
# operator/target/lib/), then:
#   docker build -t ghcr.io/cutover-dev/cutover-operator:0.1.0 .
FROM eclipse-temurin:17-jre

# A fixed non-root user; the Helm chart and deploy/base run the pod as 10001:10001 with a
# read-only root filesystem and an emptyDir on /tmp (the home directory, JVM temporary files).
RUN groupadd --system --gid 10001 cutover \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
      --shell /usr/sbin/nologin cutover

WORKDIR /opt/cutover
# Dependencies change less often than the operator: their layer comes first. The jar's manifest
# puts lib/*.jar on the class path, relative to the jar.
COPY operator/target/lib/ /opt/cutover/lib/
COPY operator/target/cutover-operator-*.jar /opt/cutover/cutover-operator.jar
# The JVM flags (heap from the memory limit, serial GC, exit on OutOfMemoryError; the reason for
# each is in the file), read by the java launcher through JDK_JAVA_OPTIONS, so that setting that
# variable (as the Helm chart does) replaces them instead of losing to the command line.
COPY helm/cutover/jvm.options /opt/cutover/jvm.options
ENV JDK_JAVA_OPTIONS=@/opt/cutover/jvm.options

USER 10001:10001
# /healthz, /readyz and /metrics (CUTOVER_HEALTH_PORT).
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/cutover/cutover-operator.jar"]
