# Alluxio in Go. `make help` lists the targets.
GO ?= go
BIN := bin/alluxio
PROTOS := $(wildcard api/*/*.proto)

.PHONY: help build test test-unit test-e2e bench bench-s3 s3-conformance lint gen gen-check fuzz deps chaos

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/alluxio
	$(GO) build -o $(BIN) ./cmd/alluxio

deps: ## install what the tests need (protoc, ZooKeeper) when missing
	@./scripts/deps.sh

test: deps ## the whole suite: lint, unit tests with the race detector, end-to-end tests
	./scripts/test.sh

test-unit: ## unit tests only, race detector on
	$(GO) test -race -count=1 ./internal/... ./client/... ./api/...

test-e2e: build ## end-to-end tests over real processes
	$(GO) test -count=1 -timeout 20m ./tests/...

bench: build ## benchmarks (figures and single commands in docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...
	ALLUXIO_TEST_BINARY=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./tests/...

s3-conformance: build ## the S3 proxy against every listed test of versitygw's S3 conformance suite (make test runs every fourth)
	ALLUXIO_TEST_BINARY=$(CURDIR)/$(BIN) ALLUXIO_S3_CONFORMANCE_ALL=1 $(GO) test -count=1 -run TestS3APIConformanceSuite -timeout 30m ./tests/e2e/

bench-s3: build ## S3 and cold-read benchmarks only, against the SDK's transfer managers (docs/benchmarks.md)
	ALLUXIO_TEST_BINARY=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench 'S3' -benchtime 1x -timeout 60m ./tests/e2e/
	$(GO) test -run '^$$' -bench Read -benchtime 4x ./internal/underfs/s3/

lint: ## gofmt, go vet, and a check that generated code is current
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	$(GO) vet -tags failpoints ./internal/failpoint/ ./internal/master/
	@$(MAKE) --no-print-directory gen-check

gen: ## regenerate the protobuf and gRPC code under api/
	PATH="$$($(GO) env GOROOT)/bin:$$PATH" protoc -I . \
	  --plugin=protoc-gen-go="$$($(GO) tool -n protoc-gen-go)" \
	  --plugin=protoc-gen-go-grpc="$$($(GO) tool -n protoc-gen-go-grpc)" \
	  --go_out=. --go_opt=module=github.com/alluxio-go/alluxio \
	  --go-grpc_out=. --go-grpc_opt=module=github.com/alluxio-go/alluxio \
	  $(PROTOS)

gen-check: ## fail when regenerating api/ would change it
	@tmp=$$(mktemp -d); cp -r api $$tmp/; $(MAKE) --no-print-directory gen >/dev/null; \
	  if ! diff -r $$tmp/api api >/dev/null; then diff -r $$tmp/api api | head -20; rm -rf $$tmp; echo "generated code is stale: run make gen and commit"; exit 1; fi; rm -rf $$tmp

chaos: build ## random faults against a cluster, history checked for linearizability (DURATION=2m JOURNAL=embedded|zk UFS=local|s3 FAULTS=kind,... SEED=n KEEP=dir TIMEOUT=120m)
	CHAOS_DURATION=$(or $(DURATION),2m) CHAOS_JOURNAL=$(or $(JOURNAL),embedded) CHAOS_UFS=$(or $(UFS),local) CHAOS_FAULTS=$(FAULTS) CHAOS_SEED=$(SEED) \
	  $(if $(KEEP),ALLUXIO_TEST_KEEP_LOGS=$(abspath $(KEEP))) \
	  ALLUXIO_TEST_BINARY=$(CURDIR)/$(BIN) $(GO) test -count=1 -v -run 'TestChaos$$' -timeout $(or $(TIMEOUT),120m) ./tests/e2e/

fuzz: ## run every fuzz test for FUZZTIME each (default 20s)
	./scripts/fuzz.sh $(or $(FUZZTIME),20s)
