# Maskline: build, run and test the broker. `make` alone lists the targets.

GO ?= go
BIN := bin/broker

.DEFAULT_GOAL := help

.PHONY: help build run test lint bench bench-sip bench-media demo clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

build: ## build the broker into bin/broker
	$(GO) build -o $(BIN) ./cmd/broker

run: build ## start one broker on the embedded store with a demo pool and tenant
	BROKER_DEMO=true ./$(BIN) serve

test: ## prepare this machine (SIPp, MariaDB), then vet and run every test with -race
	bash scripts/testenv.sh
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 12m ./...

lint: ## fail on unformatted Go files, then go vet
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt would change:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...

bench: ## run the Go benchmarks (5 times each) into bench-out/go-bench.txt
	bash scripts/bench.sh

bench-sip: ## load-test SIP signalling with SIPp
	@$(call need_script,scripts/bench-sip.sh)
	bash scripts/bench-sip.sh

bench-media: ## load-test the RTP relay
	@$(call need_script,scripts/bench-media.sh)
	bash scripts/bench-media.sh

demo: ## show a whole call end to end
	@$(call need_script,scripts/demo.sh)
	bash scripts/demo.sh

clean: ## remove build and benchmark outputs (data/ is kept: it holds the keys)
	rm -rf bin bench-out

# need_script stops with a clear message when a target's script is missing.
define need_script
if [ ! -f $(1) ]; then echo "$(1) does not exist yet: this target is not available" >&2; \
	exit 1; fi
endef
