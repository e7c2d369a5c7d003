#!/usr/bin/env bash
# The soak, called by scripts/bench.sh (or alone): one embedded cluster and one controller from
# the release build, BENCH_SOAK_APPLICATIONS applications (half blue/green, half canary), and
# `SlipwayBenchmarks soak` keeping BENCH_SOAK_IN_FLIGHT releases running for BENCH_SOAK_SECONDS,
# one in BENCH_SOAK_BOT_EVERY asked of `slipway bot` through a loopback Bot API server. Memory,
# descriptors, threads and watch events of the controller and the bot are sampled every minute.
#
# Usage: scripts/bench-soak.sh RESULTS_DIR [SLIPWAY_BINARY]
# Settings (environment): BENCH_SOAK_SECONDS (3600), BENCH_SOAK_WARM_UP (900), BENCH_SOAK_APPLICATIONS
# (1000), BENCH_SOAK_IN_FLIGHT (200), BENCH_SOAK_BOT_EVERY (10), BENCH_SOAK_SAMPLE_SECONDS (60).
set -euo pipefail
cd "$(dirname "$0")/.."

results=${1:?usage: scripts/bench-soak.sh RESULTS_DIR [SLIPWAY_BINARY]}
slipway=${2:-.build/release/slipway}
benchmarks=${BENCHMARKS_BINARY:-.build/release/SlipwayBenchmarks}
seconds=${BENCH_SOAK_SECONDS:-3600}
warm_up=${BENCH_SOAK_WARM_UP:-900}
applications=${BENCH_SOAK_APPLICATIONS:-1000}
in_flight=${BENCH_SOAK_IN_FLIGHT:-200}
bot_every=${BENCH_SOAK_BOT_EVERY:-10}
sample_seconds=${BENCH_SOAK_SAMPLE_SECONDS:-60}
mkdir -p "$results"

for binary in "$slipway" "$benchmarks"; do
  [ -x "$binary" ] || { echo "bench-soak: $binary is missing; build first with: swift build -c release" >&2; exit 2; }
done
for setting in "$seconds" "$warm_up" "$applications" "$in_flight" "$bot_every" "$sample_seconds"; do
  [[ $setting =~ ^[0-9]+$ ]] || { echo "bench-soak: settings must be non-negative integers, got '$setting'" >&2; exit 2; }
done
[ "$applications" -ge 2 ] || { echo "bench-soak: BENCH_SOAK_APPLICATIONS must be at least 2" >&2; exit 2; }

work=$(mktemp -d)
bench=bench-soak
# shellcheck source=scripts/bench-processes.sh
. scripts/bench-processes.sh
cluster_pid=""
controller_pid=""
# The bot is the soak driver's child; its pid file lets an interrupted soak stop it too.
trap 'stop_pids "$(cat "$work/bot/bot.pid" 2>/dev/null)" "$controller_pid" "$cluster_pid"; rm -rf "$work"' EXIT

echo "== soak: $applications applications, $in_flight releases in flight, $seconds s" >&2
start_cluster

options=(--kubeconfig "$work/kubeconfig" --namespace bench)
half=$((applications / 2))
"$benchmarks" seed-releases "${options[@]}" --count "$half" --strategy bluegreen >"$results/soak-seed-bluegreen.json"
"$benchmarks" seed-releases "${options[@]}" --count "$((applications - half))" --first "$half" --strategy canary >"$results/soak-seed-canary.json"

start_controller

mkdir -p "$work/bot"
"$benchmarks" soak "${options[@]}" --applications "$applications" --in-flight "$in_flight" --bot-every "$bot_every" \
  --seconds "$seconds" --warm-up-seconds "$warm_up" --sample-seconds "$sample_seconds" --slipway "$slipway" \
  --work-directory "$work/bot" --controller-pid "$controller_pid" --cluster-pid "$cluster_pid" \
  --controller-metrics "http://127.0.0.1:$metrics_port/metrics" --samples-out "$results/soak-samples.jsonl" \
  | tee "$results/soak.json" >&2
