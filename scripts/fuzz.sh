#!/usr/bin/env bash
# Coverage-guided fuzzing of the code that reads untrusted bytes (Fuzz/SlipwayFuzz), with libFuzzer
# and AddressSanitizer, in a build of its own (.build/fuzz) so that the ordinary build is untouched.
#
#   scripts/fuzz.sh build                 build the instrumented SlipwayFuzz
#   scripts/fuzz.sh build-tests           build the tests too, with the same flags (scripts/sanitize.sh)
#   scripts/fuzz.sh test ARGS             `swift test --skip-build ARGS` in that build
#   scripts/fuzz.sh replay                run every committed input (Fuzz/corpus/TARGET) once
#   scripts/fuzz.sh run SECONDS [TARGET]  fuzz each target (or one) for SECONDS and print the figures
#   scripts/fuzz.sh check                 build, replay, then run each target for FUZZ_CHECK_SECONDS (make test)
#
# A crash, hang (FUZZ_TIMEOUT seconds on one input), leak or stack overflow fails the run; libFuzzer
# leaves the input in .build/fuzz-artifacts/TARGET/. Fix the code, then commit the input into
# Fuzz/corpus/TARGET/ as regression-<what> so that every later run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

swift=${SWIFT:-swift}
scratch=${FUZZ_BUILD_PATH:-.build/fuzz}
binary=$scratch/debug/SlipwayFuzz
timeout_seconds=${FUZZ_TIMEOUT:-10}
# The driver comes from libclang_rt.fuzzer_no_main: SwiftPM gives the executable its own main
# (Fuzz/SlipwayFuzz/Entry.swift), which hands over to libFuzzer.
resource_dir=$(dirname "$(command -v swiftc)")/../lib/clang
fuzzer_library=$(find "$resource_dir" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)

# Swift's crash backtracer would hold a crashing input for seconds; libFuzzer reports it instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0:handle_abort=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Fuzz/lsan-suppressions.txt:print_suppressions=0}

build_flags=(
  -Xswiftc -sanitize=address
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
  -Xswiftc -DFUZZING
  -Xlinker "$fuzzer_library" -Xlinker -lstdc++
)

targets() { "$binary" --list | cut -f1; }

dictionary_for() {
  case "$1" in
    yaml) echo "-dict=Fuzz/dictionaries/yaml.dict" ;;
    label-selector|field-selector|command|callback-token|gate-template) echo "" ;;
    *) echo "-dict=Fuzz/dictionaries/json.dict" ;;
  esac
}

# `what` is `--product SlipwayFuzz`, or `--build-tests` for scripts/sanitize.sh, whose
# AddressSanitizer tests share this build instead of compiling every module once more.
build() {
  [ -n "$fuzzer_library" ] || { echo "libclang_rt.fuzzer_no_main not found under $resource_dir: the Swift toolchain lacks libFuzzer" >&2; exit 1; }
  local started=$SECONDS
  "$swift" build --scratch-path "$scratch" "$@" "${build_flags[@]}"
  echo "fuzz build ($*): $((SECONDS - started)) s"
}

replay() {
  local target log
  for target in $(targets); do
    mkdir -p "Fuzz/corpus/$target" ".build/fuzz-artifacts/$target"
    log=$(mktemp)
    if ! "$binary" "$target" -runs=0 -timeout="$timeout_seconds" -artifact_prefix=".build/fuzz-artifacts/$target/" \
        "Fuzz/corpus/$target" >"$log" 2>&1; then
      echo "replaying Fuzz/corpus/$target failed:" >&2
      tail -60 "$log" >&2
      exit 1
    fi
    echo "$target: replayed $(find "Fuzz/corpus/$target" -type f | wc -l) inputs"
    rm -f "$log"
  done
}

run() {
  local seconds=$1 only=${2:-} target
  local failed=0
  printf '%-24s %10s %8s %8s %8s %8s\n' target execs execs/s cov ft corpus
  for target in $(targets); do
    if [ -n "$only" ] && [ "$only" != "$target" ]; then continue; fi
    local work=.build/fuzz-corpus/$target artifacts=.build/fuzz-artifacts/$target log
    mkdir -p "$work" "$artifacts" "Fuzz/corpus/$target"
    log=$(mktemp)
    # shellcheck disable=SC2046
    if ! "$binary" "$target" -max_total_time="$seconds" -timeout="$timeout_seconds" -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" $(dictionary_for "$target") \
        "$work" "Fuzz/corpus/$target" >"$log" 2>&1; then
      echo "fuzz target $target failed; the input is in $artifacts/:" >&2
      tail -60 "$log" >&2
      failed=1
    fi
    local execs rate cov ft units
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    units=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-24s %10s %8s %8s %8s %8s\n' "$target" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${units:--}"
    rm -f "$log"
  done
  return $failed
}

case "${1:-}" in
  build) build --product SlipwayFuzz ;;
  build-tests) build --build-tests ;;
  test) shift; "$swift" test --skip-build --scratch-path "$scratch" "${build_flags[@]}" "$@" ;;
  replay) replay ;;
  run) run "${2:?seconds per target}" "${3:-}" ;;
  check)
    build --product SlipwayFuzz
    replay
    run "${FUZZ_CHECK_SECONDS:-10}"
    ;;
  *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
