#!/usr/bin/env bash
# Release benchmarks, called by scripts/bench.sh (or alone): for each scenario a fresh embedded
# cluster (release build, --readiness-delay 0.2, --traffic-rate 0) and one `slipway controller`
# (default 4 workers), both from the same build; N applications seeded, N DeploymentRequests in
# one burst, followed by a watch until every one has finished. Then the steady state: 10,000
# targets and 50,000 finished requests cached, the controller started on them.
#
# Usage: scripts/bench-releases.sh RESULTS_DIR [SLIPWAY_BINARY [LABEL]]
# Settings (environment): BENCH_RELEASE_SIZES ("100 1000 3000"), BENCH_CANARY_RELEASES (1000),
# BENCH_STEADY_TARGETS (10000), BENCH_STEADY_FINISHED (5 per target), BENCH_STEADY_SINGLES (20),
# BENCH_IDLE_SECONDS (60), BENCH_RELEASE_TIMEOUT (900 s per burst), BENCH_SKIP_STEADY (unset).
set -euo pipefail
cd "$(dirname "$0")/.."

results=${1:?usage: scripts/bench-releases.sh RESULTS_DIR [SLIPWAY_BINARY [LABEL]]}
slipway=${2:-.build/release/slipway}
label=${3:-slipway}
benchmarks=${BENCHMARKS_BINARY:-.build/release/SlipwayBenchmarks}
sizes=${BENCH_RELEASE_SIZES:-100 1000 3000}
canary_releases=${BENCH_CANARY_RELEASES:-1000}
steady_targets=${BENCH_STEADY_TARGETS:-10000}
steady_finished=${BENCH_STEADY_FINISHED:-5}
steady_singles=${BENCH_STEADY_SINGLES:-20}
idle_seconds=${BENCH_IDLE_SECONDS:-60}
mkdir -p "$results"

for binary in "$slipway" "$benchmarks"; do
  [ -x "$binary" ] || { echo "bench-releases: $binary is missing; build first with: swift build -c release" >&2; exit 2; }
done
for setting in $sizes "$canary_releases" "$steady_targets" "$steady_singles" "$idle_seconds"; do
  [[ $setting =~ ^[0-9]+$ ]] || { echo "bench-releases: counts must be non-negative integers, got '$setting'" >&2; exit 2; }
done

work=$(mktemp -d)
bench=bench-releases
# shellcheck source=scripts/bench-processes.sh
. scripts/bench-processes.sh
cluster_pid=""
controller_pid=""
stop_all() {
  stop_pids "$controller_pid" "$cluster_pid"
  controller_pid=""
  cluster_pid=""
}
trap 'stop_all; rm -rf "$work"' EXIT

step() { printf '\n== [%s] %s\n' "$label" "$*" >&2; }

cluster_options=(--kubeconfig "$work/kubeconfig" --namespace bench)

run_burst() {
  local strategy=$1 count=$2 name=$3
  step "$count concurrent $strategy releases"
  start_cluster
  "$benchmarks" seed-releases "${cluster_options[@]}" --count "$count" --strategy "$strategy" >"$results/$name-seed.json"
  start_controller
  "$benchmarks" releases "${cluster_options[@]}" --count "$count" --label "$label-$strategy" \
    --controller-pid "$controller_pid" --cluster-pid "$cluster_pid" \
    --controller-metrics "http://127.0.0.1:$metrics_port/metrics" --timeout "${BENCH_RELEASE_TIMEOUT:-900}" | tee "$results/$name.json" >&2
  stop_all
}

# The embedded API's write throughput on this machine, for the API bound of the release times.
step "the embedded API's write throughput"
start_cluster
"$benchmarks" seed "${cluster_options[@]}" --objects 2000 --concurrency 64 >/dev/null
"$benchmarks" watch "${cluster_options[@]}" --objects 2000 --updates 10000 --concurrency 64 >"$results/api-writes.json"
stop_all

# BENCH_RELEASE_SIZES=" " runs no burst.
for size in $sizes; do
  run_burst bluegreen "$size" "bluegreen-$size"
done
if [ "$canary_releases" -gt 0 ]; then
  run_burst canary "$canary_releases" "canary-$canary_releases"
fi

if [ -z "${BENCH_SKIP_STEADY:-}" ] && [ "$steady_targets" -gt 0 ]; then
  step "steady state: $steady_targets targets, $((steady_targets * steady_finished)) finished requests"
  start_cluster
  "$benchmarks" seed-releases "${cluster_options[@]}" --count "$steady_targets" --strategy bluegreen \
    --finished-per-target "$steady_finished" --timeout 1800 >"$results/steady-seed.json"
  start_controller
  synced=$(cat "$work/synced")
  # Let the start-up reconciles of every finished request drain before measuring idle.
  sleep 20
  cpu_start=$(awk '{ print $14 + $15 }' "/proc/$controller_pid/stat")
  sleep "$idle_seconds"
  cpu_end=$(awk '{ print $14 + $15 }' "/proc/$controller_pid/stat")
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$controller_pid/status")
  hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$controller_pid/status")
  cluster_rss=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$cluster_pid/status")
  "$benchmarks" releases "${cluster_options[@]}" --count 1 --first 0 --singles "$steady_singles" --label "$label-steady" \
    --controller-pid "$controller_pid" --cluster-pid "$cluster_pid" --timeout 600 >"$results/steady-singles.json"
  idle=$(awk -v a="$cpu_start" -v b="$cpu_end" -v s="$idle_seconds" 'BEGIN { printf "%.3f", (b - a) / 100 / s * 100 }')
  printf '{"step": "steady", "targets": %s, "finishedRequests": %s, "syncSeconds": %s, "rssMiB": %s, "peakRSSMiB": %s, "clusterPeakRSSMiB": %s, "idleCPUPercent": %s, "idleSeconds": %s}\n' \
    "$steady_targets" "$((steady_targets * steady_finished))" "$synced" "$rss" "$hwm" "$cluster_rss" "$idle" "$idle_seconds" \
    | tee "$results/steady.json" >&2
  stop_all
fi
