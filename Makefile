# Cutover: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /usr/bin/env bash
MVN ?= mvn -B -ntp
export CUTOVER_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cutover
export KUBE_API_TEST_DIR ?= $(CUTOVER_CACHE)/kubeapitest

.PHONY: help test demo tools build crds docs dev-up dev-down run clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

tools: ## build or reuse kube-apiserver/etcd/kubectl, helm and moto in the cache
	@hack/install-kube-binaries.sh
	@hack/install-helm.sh
	@hack/install-moto.sh

test: tools ## unit tests, CRD drift check and integration tests on a real API server + moto
	$(MVN) verify

build: ## compile and package the operator (no tests)
	$(MVN) package -DskipTests

crds: ## regenerate crds/ from the Java model
	$(MVN) -q -pl operator process-classes
	cp operator/target/classes/META-INF/fabric8/releases.cutover.dev-v1.yml crds/

docs: crds ## regenerate docs/API.md from the CRD
	$(MVN) -q -pl operator test -Dtest=ApiReferenceTest -Dcutover.writeDocs=true -Dsurefire.failIfNoSpecifiedTests=false

demo: tools build ## start a local control plane + moto, run the operator, narrate a blue/green
	@hack/demo.sh

dev-up: tools ## start a local control plane + moto in the background (.dev/kubeconfig, .dev/env)
	@hack/dev-up.sh

dev-down: ## stop what dev-up started
	@hack/dev-down.sh

run: build ## run the operator against the current kubeconfig and AWS credentials
	java -jar $(wildcard operator/target/cutover-operator-*.jar)

clean: ## remove build output (the cache outside the repo stays)
	$(MVN) -q clean
	rm -rf .dev
