#!/usr/bin/env bash
# The in-process tests of HTTP, Kube, KubeRuntime and ChatOps (the modules that share state
# between threads and event loops, and hand buffers to libcurl) under AddressSanitizer. The build
# is the fuzzing build (scripts/fuzz.sh build-tests: the same flags), so its modules are compiled
# once for both. make test runs it.
#
# A memory error fails the run. Leak checking is off here: LeakSanitizer does not recognise the
# pointers Swift keeps inside enum payloads (JSONValue's members, for one), so it reports the
# static schema tables as leaked; the fuzz targets check leaks per input instead.
set -euo pipefail
cd "$(dirname "$0")/.."

swift=${SWIFT:-swift}
suites='^(HTTPTests|KubeTests|KubeRuntimeTests|ChatOpsTests)\.'
started=$SECONDS
SWIFT=$swift scripts/fuzz.sh build-tests
# The same width as make test's in-process run: the tests' bounded waits assume it.
SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-16} \
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:detect_stack_use_after_return=0} \
  SWIFT=$swift scripts/fuzz.sh test --filter "$suites"
echo "AddressSanitizer tests: $((SECONDS - started)) s"
