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
cluster_pid=""
controller_pid=""
stop_all() {
  for pid in "$controller_pid" "$cluster_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap 'stop_all; rm -rf "$work"' EXIT

wait_for_line() {
  local file=$1 pattern=$2 pid=$3 seconds=$4 what=$5
  local deadline=$((SECONDS + seconds))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "bench-soak: $what exited early:" >&2; tail -20 "$file" "$file.err" >&2 2>/dev/null || true; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "bench-soak: $what did not say '$pattern' within $seconds s" >&2; exit 1; }
    sleep 0.05
  done
}

echo "== soak: $applications applications, $in_flight releases in flight, $seconds s" >&2
"$slipway" cluster --port 0 --kubeconfig-out "$work/kubeconfig" --readiness-delay 0.2 --traffic-rate 0 \
  --log-level warning >"$work/cluster.out" 2>"$work/cluster.out.err" &
cluster_pid=$!
wait_for_line "$work/cluster.out" '^Kubeconfig written to' "$cluster_pid" 60 "the cluster"
kubectl --kubeconfig "$work/kubeconfig" apply -f manifests/crds/ >/dev/null

options=(--kubeconfig "$work/kubeconfig" --namespace bench)
half=$((applications / 2))
"$benchmarks" seed-releases "${options[@]}" --count "$half" --strategy bluegreen >"$results/soak-seed-bluegreen.json"
"$benchmarks" seed-releases "${options[@]}" --count "$((applications - half))" --first "$half" --strategy canary >"$results/soak-seed-canary.json"

metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$slipway" controller --kubeconfig "$work/kubeconfig" --namespace bench --metrics-addr "127.0.0.1:$metrics_port" \
  --health-addr "" --log-level warning >"$work/controller.out" 2>"$work/controller.out.err" &
controller_pid=$!
wait_for_line "$work/controller.out" '^slipway controller started' "$controller_pid" 600 "the controller"

mkdir -p "$work/bot"
"$benchmarks" soak "${options[@]}" --applications "$applications" --in-flight "$in_flight" --bot-every "$bot_every" \
  --seconds "$seconds" --warm-up-seconds "$warm_up" --sample-seconds "$sample_seconds" --slipway "$slipway" \
  --work-directory "$work/bot" --controller-pid "$controller_pid" --cluster-pid "$cluster_pid" \
  --controller-metrics "http://127.0.0.1:$metrics_port/metrics" --samples-out "$results/soak-samples.jsonl" \
  | tee "$results/soak.json" >&2
