# carepath — `make run` brings the whole product up; `make test` runs every test.
# Both install what they need: Go modules, and the Temporal CLI (built once
# from the Go module proxy into ./bin when `temporal` is not on PATH); `make
# test` also Debian's Chromium and playwright-core for the browser tests
# (scripts/browser-deps.sh) and the FHIR conformance test's npm packages
# (scripts/fhir-deps.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO                   ?= go
TEMPORAL_CLI_VERSION := v1.5.1
# The lint tools, pinned in tools/go.mod (a module of its own, so their
# dependencies do not move carepath's); `go tool` builds each once into the cache.
TOOL                 := $(GO) tool -modfile=tools/go.mod
# The Temporal CLI: the one on PATH, else ./bin/temporal (built on demand).
TEMPORAL_BIN         := $(or $(shell command -v temporal 2>/dev/null),$(CURDIR)/bin/temporal)
export CAREPATH_TEMPORAL_BIN := $(TEMPORAL_BIN)
# RACE=1 runs `make test` under the race detector (CI does).
RACE_FLAG            := $(if $(RACE),-race)

.PHONY: help run test test-unit test-short build lint fmt compose-check clean temporal-cli temporal-server cluster browser-deps fhir-deps screenshots record-histories bench bench-scale chaos

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_\/.-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: build temporal-cli ## run everything locally: Temporal dev server, private PostgreSQL, worker, API, sandbox messaging
	./bin/carepath dev

test: temporal-cli temporal-server browser-deps fhir-deps ## run every test: unit, journey, replay, integration against real PostgreSQL and Temporal, the console in headless Chromium, the FHIR endpoint against independent FHIR tools, and the short chaos run and the cluster test beside them (RACE=1: under the race detector)
	@# The short chaos run and then the cluster test (their own processes,
	@# mostly waiting out their windows and reply timeouts; one after the
	@# other, to spare the cores) are the longest tests, so they start first,
	@# on a carepath built before the rest compiles, and run in the
	@# background; their summary lines are printed, and the whole log if
	@# one fails. Vet and workflowcheck are `make lint`'s.
	@# Measured figures (labelled sets, delays) are collected in one file
	@# and printed at the end: go test hides a passing package's output.
	@start=$$(date +%s); tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export CAREPATH_FIGURES=$$tmp/figures.txt; \
	$(GO) build -o $$tmp/carepath ./cmd/carepath || exit 1; \
	CHAOS_CAREPATH_BIN=$$tmp/carepath $(GO) test -count=1 -v -timeout 20m -run '^(TestChaosShort|TestClusterShort)$$' ./internal/chaos >$$tmp/chaos.log 2>&1 & chaos_pid=$$!; \
	$(GO) test $(RACE_FLAG) -count=1 -timeout 15m -skip '^(TestChaosShort|TestClusterShort)$$' ./...; rc=$$?; \
	if wait $$chaos_pid; then grep -E '^(chaos: |--- PASS|ok )' $$tmp/chaos.log; else cat $$tmp/chaos.log; rc=1; fi; \
	echo "figures:"; sort $$tmp/figures.txt 2>/dev/null | sed 's/^/  /'; \
	s=$$(( $$(date +%s) - start )); echo "make test$(if $(RACE), RACE=1): $$((s / 60))m$$((s % 60))s"; exit $$rc

test-unit: ## the fast loop: every test that needs no service (no PostgreSQL, Temporal or `carepath dev`), cached
	$(GO) test -short ./...

test-short: test-unit ## the old name of test-unit

chaos: temporal-cli ## the full chaos suite: api + 2 workers as processes, SIGKILLs, Temporal and PostgreSQL outages, faulty providers (CHAOS_SEED=n replays)
	$(GO) test -count=1 -v -timeout 45m -run TestChaosFull ./internal/chaos -chaos.full

bench: build temporal-cli temporal-server ## measure carepath against bare Temporal on the dev server, then on a Temporal cluster on PostgreSQL, two rounds each alternating which side goes first; every ratio target PASS/FAIL (BENCH_FLAGS="-n 1000 ..."; see docs/performance.md)
	$(GO) run ./cmd/carepath-bench -cluster $(BENCH_FLAGS)

bench-scale: build temporal-cli ## 100,000 patients enrolled and waiting: launch rate, worker RSS over time, storage per patient, history, idle CPU
	$(GO) run ./cmd/carepath-bench -phases idle -idle 100000 -idle-window 2m -dir .data/bench-scale $(BENCH_FLAGS)

record-histories: temporal-cli ## re-record the journey histories the replay tests use (after a deliberate, versioned change)
	$(GO) test -tags record -count=1 -run TestRecordHistories ./cmd/carepath/

build: ## build ./bin/carepath
	$(GO) build -o bin/carepath ./cmd/carepath

cluster: build temporal-server ## a real Temporal cluster on PostgreSQL (frontend, history, matching, worker as processes) and carepath with two api and three worker processes, sandbox messaging; data in .data/cluster
	$(GO) run ./cmd/carepath-cluster $(CLUSTER_FLAGS)

temporal-server: ## make sure ./bin/temporal-server and ./bin/temporal-sql-tool exist (go.temporal.io/server v1.29.1, built once)
	@GO=$(GO) ./scripts/temporal-server.sh

temporal-cli: ## make sure the Temporal CLI exists (PATH or ./bin/temporal)
	@if [ ! -x "$(TEMPORAL_BIN)" ]; then \
		echo "building the Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (once; takes a few minutes)"; \
		GOBIN=$(CURDIR)/bin $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION); \
	fi

browser-deps: ## make sure the browser tests' Chromium (/usr/bin/chromium, Debian's) and playwright-core (console/e2e/node_modules) are installed
	@./scripts/browser-deps.sh

fhir-deps: ## make sure the FHIR conformance test's npm packages (fhir-kit-client, Medplum's validator, HL7's examples; fhir/e2e/node_modules) are installed
	@./scripts/fhir-deps.sh

screenshots: temporal-cli browser-deps ## run the console's browser tests and keep their screenshots in docs/console
	CAREPATH_SCREENSHOT_DIR=$(CURDIR)/docs/console $(GO) test -count=1 -timeout 15m -run '^TestConsoleBrowser$$' ./cmd/carepath
	@rm -f docs/console/FAIL-*.png

lint: ## gofmt check, go vet, staticcheck, errcheck (no dropped errors), workflowcheck (determinism of workflow code) and compose-check; versions in tools/go.mod
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(TOOL) staticcheck ./...
	$(TOOL) errcheck ./...
	$(TOOL) workflowcheck ./...
	@./scripts/compose-check.sh

fmt: ## format the code
	gofmt -w .

compose-check: ## docker-compose.yml accepted with its required secrets and refused without each, the carepath settings it and deploy/kubernetes set are real (needs a compose CLI, not an engine; skips without one; `make lint` runs it)
	@./scripts/compose-check.sh

clean: ## remove build output (keeps .data; delete it by hand to start over)
	rm -rf bin/carepath
