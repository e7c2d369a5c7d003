#!/usr/bin/env bash
# `make bench`: starts one embedded cluster from the release build (objects in memory), seeds it
# with ConfigMaps, measures Slipway's client (list, watch, GET), kubectl and the official Python
# client against it, and writes docs/benchmarks.md. The cluster is stopped on exit.
#
# Settings (environment): BENCH_OBJECTS (10000), BENCH_RUNS (5), BENCH_PAGE_SIZE (500),
# BENCH_UPDATES (10000), BENCH_GETS (1000), BENCH_CONCURRENCY (64), BENCH_OUTPUT (docs/benchmarks.md).
# Then the controller at scale (scripts/bench-releases.sh and its settings). BENCH_BASELINE=PATH
# names another build's `slipway` binary to measure side by side in the same run (e.g. a
# checkout of an earlier commit built with `swift build -c release`; BENCH_BASELINE_RELEASE_SIZES,
# BENCH_BASELINE_CANARY_RELEASES and BENCH_BASELINE_SKIP_STEADY narrow what it runs); BENCH_SKIP_RELEASES=1
# measures the client only. Last the soak (scripts/bench-soak.sh): an hour of continuous releases
# through the controller and the bot; BENCH_SOAK_SECONDS=0 leaves it out.
set -euo pipefail

cd "$(dirname "$0")/.."

objects=${BENCH_OBJECTS:-10000}
runs=${BENCH_RUNS:-5}
page_size=${BENCH_PAGE_SIZE:-500}
updates=${BENCH_UPDATES:-10000}
gets=${BENCH_GETS:-1000}
concurrency=${BENCH_CONCURRENCY:-64}
output=${BENCH_OUTPUT:-docs/benchmarks.md}
namespace=bench
kubectl_gets=20

for setting in "$objects" "$runs" "$page_size" "$updates" "$gets" "$concurrency"; do
  if ! [[ $setting =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: BENCH_* counts must be positive integers, got '$setting'" >&2
    exit 2
  fi
done

slipway=.build/release/slipway
benchmarks=.build/release/SlipwayBenchmarks
for binary in "$slipway" "$benchmarks"; do
  if [ ! -x "$binary" ]; then
    echo "bench: $binary is missing; build first with: swift build -c release" >&2
    exit 2
  fi
done
for tool in kubectl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (scripts/install-deps.sh test installs it)" >&2; exit 2; }
done

work=$(mktemp -d)
results="$work/results"
mkdir -p "$results"
kubeconfig="$work/kubeconfig"
cluster_pid=""

stop_cluster() {
  if [ -n "$cluster_pid" ] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_cluster EXIT

step() { printf '\n== %s\n' "$*" >&2; }

# Seconds elapsed since a `date +%s%N` reading.
seconds_since() {
  local start=$1 end
  end=$(date +%s%N)
  awk -v start="$start" -v end="$end" 'BEGIN { printf "%.6f\n", (end - start) / 1e9 }'
}

step "starting the embedded cluster"
"$slipway" cluster --port 0 --kubeconfig-out "$kubeconfig" --log-level warning >"$work/cluster.out" 2>"$work/cluster.err" &
cluster_pid=$!
deadline=$((SECONDS + 60))
until grep -q '^Kubeconfig written to' "$work/cluster.out" 2>/dev/null; do
  if ! kill -0 "$cluster_pid" 2>/dev/null; then
    echo "bench: the cluster exited early:" >&2
    cat "$work/cluster.err" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "bench: the cluster did not write its kubeconfig within 60 s" >&2
    exit 1
  fi
  sleep 0.1
done
cat "$work/cluster.out" >&2

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cluster=(--kubeconfig "$kubeconfig" --namespace "$namespace")

step "seeding $objects ConfigMaps ($concurrency creates in flight)"
"$benchmarks" seed "${cluster[@]}" --objects "$objects" --concurrency "$concurrency" | tee "$results/seed.json"

step "Slipway: list $objects ConfigMaps in pages of $page_size (warm-up + $runs runs)"
"$benchmarks" list "${cluster[@]}" --objects "$objects" --page-size "$page_size" --runs "$runs" | tee "$results/list.json"

step "kubectl: get configmaps -o json --chunk-size=$page_size (an untimed -o name run, then $runs runs)"
listed=$(kubectl --kubeconfig "$kubeconfig" get configmaps -n "$namespace" -o name --chunk-size="$page_size" | wc -l)
if [ "$listed" -ne "$objects" ]; then
  echo "bench: kubectl listed $listed ConfigMaps, expected $objects" >&2
  exit 1
fi
for ((run = 0; run < runs; run++)); do
  start=$(date +%s%N)
  kubectl --kubeconfig "$kubeconfig" get configmaps -n "$namespace" -o json --chunk-size="$page_size" >/dev/null
  seconds_since "$start" | tee -a "$results/kubectl_list.txt"
done

step "Python client: list_namespaced_config_map in pages of $page_size (warm-up + $runs runs)"
python3 scripts/bench_python_client.py "$kubeconfig" "$namespace" "$page_size" "$runs" | tee "$results/python_list.json"
if ! grep -q "\"objects\": $objects," "$results/python_list.json"; then
  echo "bench: the Python client did not list $objects ConfigMaps" >&2
  exit 1
fi

step "kubectl: get configmap bench-0 -o json, one process each ($kubectl_gets runs)"
for ((run = 0; run < kubectl_gets; run++)); do
  start=$(date +%s%N)
  kubectl --kubeconfig "$kubeconfig" get configmap bench-0 -n "$namespace" -o json >/dev/null
  seconds_since "$start" >>"$results/kubectl_get.txt"
done

step "Slipway: watch while making $updates updates ($concurrency in flight)"
"$benchmarks" watch "${cluster[@]}" --objects "$objects" --updates "$updates" --concurrency "$concurrency" | tee "$results/watch.json"

step "Slipway: $gets sequential GETs"
"$benchmarks" get "${cluster[@]}" --requests "$gets" | tee "$results/get.json"

load_end=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
memory_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
memory=$(awk -v kib="$memory_kib" 'BEGIN { printf "%.1f GiB", kib / 1048576 }')
os=$(grep -m1 '^PRETTY_NAME=' /etc/os-release | cut -d= -f2- | tr -d '"')
kernel=$(uname -r)
swift_version=$(swift --version 2>/dev/null | grep -m1 -o 'Swift version [^ ]*' || echo unknown)
kubectl_version=$(kubectl version --client 2>/dev/null | grep -m1 'Client Version' | cut -d: -f2- | sed 's/^ *//')
python_client=$(python3 -c 'import kubernetes, sys; print(kubernetes.__version__, "on Python", sys.version.split()[0])')

mkdir -p "$(dirname "$output")"
step "writing $output"
"$benchmarks" report --results "$results" --output "$output" --cores "$cores" \
  --machine "Date: $(date -u '+%Y-%m-%d %H:%M UTC')" \
  --machine "CPU: $cpu, $cores logical CPUs" \
  --machine "Memory: $memory" \
  --machine "OS: $os, Linux $kernel" \
  --machine "Swift: ${swift_version#Swift version }, release build" \
  --machine "kubectl: ${kubectl_version:-unknown}" \
  --machine "Python client: kubernetes $python_client" \
  --load "$load_start" --load "$load_end"

stop_cluster_only() {
  if [ -n "$cluster_pid" ] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  cluster_pid=""
}

if [ -z "${BENCH_SKIP_RELEASES:-}" ]; then
  stop_cluster_only
  release_runs=(--results "this=$work/releases")
  scripts/bench-releases.sh "$work/releases" "$slipway" this
  if [ -n "${BENCH_BASELINE:-}" ]; then
    # The baseline may be measured on fewer scenarios (an old build can take many minutes on
    # the large ones): BENCH_BASELINE_RELEASE_SIZES, BENCH_BASELINE_CANARY_RELEASES and
    # BENCH_BASELINE_SKIP_STEADY override the settings above for it alone.
    BENCH_RELEASE_SIZES="${BENCH_BASELINE_RELEASE_SIZES:-${BENCH_RELEASE_SIZES:-100 1000 3000}}" \
      BENCH_CANARY_RELEASES="${BENCH_BASELINE_CANARY_RELEASES:-${BENCH_CANARY_RELEASES:-1000}}" \
      BENCH_SKIP_STEADY="${BENCH_BASELINE_SKIP_STEADY:-${BENCH_SKIP_STEADY:-}}" \
      scripts/bench-releases.sh "$work/releases-baseline" "$BENCH_BASELINE" baseline
    release_runs+=(--results "baseline=$work/releases-baseline")
  fi
  "$benchmarks" release-report "${release_runs[@]}" --output "$output" \
    --note "Measured $(date -u "+%Y-%m-%d %H:%M UTC") on the machine above."
fi

if [ "${BENCH_SOAK_SECONDS:-3600}" != 0 ]; then
  stop_cluster_only
  scripts/bench-soak.sh "$work/soak" "$slipway"
  "$benchmarks" soak-report --result "$work/soak/soak.json" --samples "$work/soak/soak-samples.jsonl" --output "$output" \
    --note "Measured $(date -u "+%Y-%m-%d %H:%M UTC") on the machine above."
fi
