# Slipway's two set-up commands on a fresh Debian machine are `make demo` and `make test`;
# each installs what it needs first.
SWIFT ?= swift
BUILD_FLAGS ?=
SLIPWAY = .build/debug/slipway

.PHONY: all build test demo bench deps-test deps-demo clean image-check

all: build

deps-test:
	@scripts/install-deps.sh test

deps-demo:
	@scripts/install-deps.sh demo

build: deps-demo
	$(SWIFT) build $(BUILD_FLAGS) --product slipway

test: deps-test
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build
	SLIPWAY=$(SLIPWAY) python3 -m pytest -q tests/python
	scripts/check-deploy-config.sh

demo: build
	$(SLIPWAY) cluster --port 0 --kubeconfig-out .state/kubeconfig --state-dir .state/cluster

# The container image's release build (static Swift stdlib), run natively: too slow for make test.
image-check: deps-test
	scripts/check-deploy-config.sh image

bench: deps-test
	$(SWIFT) build -c release $(BUILD_FLAGS)
	scripts/bench.sh

clean:
	rm -rf .build
