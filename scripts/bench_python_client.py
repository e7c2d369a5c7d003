"""Lists every ConfigMap of a namespace with the official Kubernetes Python client, in pages,
decoding each page into typed objects as the client does, and prints one JSON line with the
count, the best time and every run's time. Used by `make bench` to compare clients side by side.

Usage: bench_python_client.py KUBECONFIG NAMESPACE PAGE_SIZE [RUNS]
One untimed warm-up list comes first (connection set-up, imports of lazily loaded models)."""
import json
import sys
import time

import kubernetes
from kubernetes import client, config


def list_all(api: client.CoreV1Api, namespace: str, page: int) -> int:
    count = 0
    token = None
    while True:
        kwargs = {"limit": page}
        if token:
            kwargs["_continue"] = token
        result = api.list_namespaced_config_map(namespace, **kwargs)
        count += len(result.items)
        token = result.metadata._continue
        if not token:
            return count


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit("usage: bench_python_client.py KUBECONFIG NAMESPACE PAGE_SIZE [RUNS]")
    kubeconfig, namespace, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    if page <= 0 or runs <= 0:
        sys.exit("PAGE_SIZE and RUNS must be positive")
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    count = list_all(api, namespace, page)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        counted = list_all(api, namespace, page)
        seconds.append(time.perf_counter() - start)
        if counted != count:
            sys.exit(f"the namespace changed during the benchmark: {count} then {counted} ConfigMaps")
    print(json.dumps({"objects": count, "seconds": min(seconds), "runs": seconds,
                      "clientVersion": kubernetes.__version__,
                      "python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
