# Sourced by the benchmark scripts (bench-releases.sh, bench-soak.sh): starting and stopping the
# processes they measure. Expects $slipway (the binary) and $work (a scratch directory), and
# $bench (the script's name, for messages).

# Waits until FILE has a line matching PATTERN, while PID lives; at most SECONDS.
wait_for_line() {
  local file=$1 pattern=$2 pid=$3 seconds=$4 what=$5
  local deadline=$((SECONDS + seconds))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$bench: $what exited early:" >&2
      tail -20 "$file" "$file.err" >&2 2>/dev/null || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "$bench: $what did not say '$pattern' within $seconds s" >&2
      exit 1
    fi
    sleep 0.05
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Stops each running PID given (TERM, then waits for it).
stop_pids() {
  local pid
  for pid in "$@"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}

# A fresh embedded cluster with the Slipway CRDs (release settings of the benchmarks: readiness
# after 0.2 s, no simulated traffic); sets cluster_pid, writes $work/kubeconfig.
start_cluster() {
  "$slipway" cluster --port 0 --kubeconfig-out "$work/kubeconfig" --readiness-delay 0.2 --traffic-rate 0 \
    --log-level warning >"$work/cluster.out" 2>"$work/cluster.out.err" &
  cluster_pid=$!
  wait_for_line "$work/cluster.out" '^Kubeconfig written to' "$cluster_pid" 60 "the cluster"
  kubectl --kubeconfig "$work/kubeconfig" apply -f manifests/crds/ >/dev/null
}

# Starts the controller on namespace bench and returns once its caches are synced; sets
# controller_pid and metrics_port. The seconds it took go to $work/synced (not printed: a command
# substitution would run it in a subshell and lose the pid).
start_controller() {
  metrics_port=$(free_port)
  local start
  start=$(date +%s%N)
  "$slipway" controller --kubeconfig "$work/kubeconfig" --namespace bench --metrics-addr "127.0.0.1:$metrics_port" \
    --health-addr "" --log-level warning >"$work/controller.out" 2>"$work/controller.out.err" &
  controller_pid=$!
  wait_for_line "$work/controller.out" '^slipway controller started' "$controller_pid" 1800 "the controller"
  awk -v start="$start" -v end="$(date +%s%N)" 'BEGIN { printf "%.3f\n", (end - start) / 1e9 }' >"$work/synced"
}
