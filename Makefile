# Slipway's two set-up commands on a fresh Debian machine are `make demo` and `make test`;
# each installs what it needs first.
SWIFT ?= swift
BUILD_FLAGS ?=
SLIPWAY = .build/debug/slipway

.PHONY: all build test demo bench fuzz deps-test deps-demo clean image-check

all: build

deps-test:
	@scripts/install-deps.sh test

deps-demo:
	@scripts/install-deps.sh demo

build: deps-demo
	$(SWIFT) build $(BUILD_FLAGS) --product slipway

# In-process tests first, then the end-to-end ones, which run clusters, controllers and bots as
# processes: together on a small machine the two starve each other's bounded waits. The
# in-process tests run at most 16 at a time for the same reason (about 7 s slower than all at once).
test: deps-test
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=16 $(SWIFT) test $(BUILD_FLAGS) --skip-build --skip 'EndToEndTests\.'
	$(SWIFT) test $(BUILD_FLAGS) --skip-build --filter 'EndToEndTests\.'
	SWIFT=$(SWIFT) scripts/sanitize.sh
	SWIFT=$(SWIFT) FUZZ_CHECK_SECONDS=$(FUZZ_CHECK_SECONDS) scripts/fuzz.sh check
	scripts/check-monitoring.sh
	SLIPWAY=$(SLIPWAY) python3 -m pytest -q tests/python
	scripts/check-deploy-config.sh
	scripts/check-deploy-config.sh image

# Coverage-guided fuzzing (docs/fuzzing.md): `make fuzz` runs every target for FUZZ_SECONDS, or only
# FUZZ_TARGET; make test replays the committed inputs and runs each target for FUZZ_CHECK_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?=
FUZZ_CHECK_SECONDS ?= 8

fuzz: deps-test
	SWIFT=$(SWIFT) scripts/fuzz.sh build
	SWIFT=$(SWIFT) scripts/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGET)

# `make demo DEMO_FLAGS=--keep` stays up afterwards (kubeconfig in .state/kubeconfig); DEMO_FLAGS=--chat
# then takes the bot's commands at the console.
demo: build
	$(SLIPWAY) demo --kubeconfig-out .state/kubeconfig $(DEMO_FLAGS)

# The container image's release build (static Swift stdlib), run natively; make test runs it last.
image-check: deps-test
	scripts/check-deploy-config.sh image

bench: deps-test
	$(SWIFT) build -c release $(BUILD_FLAGS)
	scripts/bench.sh

clean:
	rm -rf .build
