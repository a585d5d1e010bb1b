# Cutover: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /usr/bin/env bash
MVN ?= mvn -B -ntp
export CUTOVER_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cutover
export KUBE_API_TEST_DIR ?= $(CUTOVER_CACHE)/kubeapitest

.PHONY: help test soak bench demo tools tools-kube tools-moto tools-helm tools-prometheus tools-chromium build \
  crds docs dev-up \
  dev-down run image image-docker clean plugin install-plugin plugin-bench
IMAGE ?= ghcr.io/cutover-dev/cutover-operator:0.1.0
PREFIX ?= $(HOME)/.local

# Failsafe kills a test JVM that runs longer than failsafe.timeout seconds (1200 by default, in
# operator/pom.xml), so that a hung test cannot eat CI's budget. `make soak` sizes it from the
# kills: 20 minutes for the rest of the run plus 60 s per random kill (about 11 s each when
# measured, see docs/RELIABILITY.md): 70 minutes for the default 50, 3 h 40 min for 200.
SOAK_IT_TIMEOUT ?= $(shell echo $$(( 1200 + 60 * $(or $(SOAK_KILLS),50) )))
soak: override MVN += -Dfailsafe.timeout=$(SOAK_IT_TIMEOUT)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

tools: tools-kube tools-moto tools-helm tools-prometheus tools-chromium ## build or reuse all of them (kube binaries, moto, helm, prometheus, chromium)

tools-kube: ## build or reuse kube-apiserver, etcd and kubectl (Go 1.24+)
	@hack/install-kube-binaries.sh

tools-moto: ## install or reuse moto, the EC2 emulator (Python 3)
	@hack/install-moto.sh

tools-prometheus: ## install or reuse Prometheus for the metric-check tests (Debian package)
	@hack/install-prometheus.sh

tools-chromium: ## install or reuse headless Chromium + chromedriver for the release page's browser test (Debian packages, root)
	@hack/install-chromium.sh

tools-helm: ## build or reuse helm, for the chart tests of `make test` (Go 1.26+)
	@hack/install-helm.sh

test: tools ## unit tests, CRD drift check and integration tests on a real API server + moto
	$(MVN) verify

soak: tools-kube tools-moto ## many random kills (SOAK_KILLS, default 50) and simulated histories (SIM_TRIES, default 100000); writes docs/RELIABILITY.md
	$(MVN) verify -Dit.test=ReliabilityIT -Dtest=CrdInSyncTest,SafetySimulationTest \
	  -Dcutover.sim.tries=$(or $(SIM_TRIES),100000) \
	  -Dcutover.reliability.randomKills=$(or $(SOAK_KILLS),50) \
	  -Dcutover.reliability.writeDoc=true \
	  '-Dcutover.reliability.command=make soak SOAK_KILLS=$(or $(SOAK_KILLS),50)'

bench: tools-kube tools-moto build ## EC2 API cost and latency benchmarks (BENCH=full for the full sizes); writes docs/BENCHMARKS.md
	$(MVN) -q -pl operator test-compile dependency:build-classpath \
	  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	cd operator && java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) \
	  dev.cutover.bench.BenchmarkRunner $(BENCH)

build: ## compile and package the operator (no tests)
	$(MVN) package -DskipTests

crds: ## regenerate crds/ (Release, AwsAccount; and the chart's copy) from the Java model
	$(MVN) -q -pl operator process-test-classes
	cp operator/target/classes/META-INF/fabric8/*.cutover.dev-v1.yml crds/
	cp crds/*.cutover.dev-v1.yml helm/cutover/crds/

docs: crds ## regenerate docs/API.md from the CRD
	$(MVN) -q -pl operator test -Dtest=ApiReferenceTest -Dcutover.writeDocs=true -Dsurefire.failIfNoSpecifiedTests=false

demo: tools-kube tools-moto build ## start a local control plane + moto, run the operator, narrate a blue/green
	@hack/demo.sh

dev-up: tools-kube tools-moto ## start a local control plane + moto in the background (.dev/kubeconfig, .dev/env)
	@hack/dev-up.sh

dev-down: ## stop what dev-up started
	@hack/dev-down.sh

plugin: build ## build kubectl-cutover, the kubectl plugin (operator/target/kubectl-cutover)
	@hack/plugin.sh build

install-plugin: plugin ## install kubectl-cutover into PREFIX/bin (PREFIX=~/.local by default)
	@hack/plugin.sh install $(PREFIX)

plugin-bench: tools-kube plugin ## kubectl-cutover start-up, cold and warm, against a real API server; writes docs/PLUGIN-STARTUP.md
	$(MVN) -q -pl operator test-compile dependency:build-classpath \
	  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	cd operator && java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) \
	  dev.cutover.bench.PluginStartup $(or $(PLUGIN_BENCH_RUNS),10) 'make plugin-bench'

# The JVM flags a container runs with (helm/cutover/jvm.options, the reason for each in the file);
# without a container memory limit the heap follows the machine's memory.
run: build ## run the operator against the current kubeconfig and AWS credentials
	java @helm/cutover/jvm.options -jar $(wildcard operator/target/cutover-operator-*.jar)

image: ## build and push the operator image with Jib (needs a registry you can push to)
	$(MVN) -pl operator -am package jib:build -DskipTests -Dimage=$(IMAGE)

image-docker: build ## build the image with a local Docker engine from the Dockerfile
	docker build -t $(IMAGE) .

clean: ## remove build output (the cache outside the repo stays)
	$(MVN) -q clean
	rm -rf .dev
