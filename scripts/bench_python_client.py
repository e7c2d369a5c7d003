"""Lists every ConfigMap of a namespace with the official Kubernetes Python client, in pages,
decoding each page into typed objects as the client does, and prints one JSON line with the
count and the seconds it took. Used by `make bench` to compare clients side by side."""
import json
import sys
import time

from kubernetes import client, config


def main() -> None:
    kubeconfig, namespace, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    best = None
    count = 0
    for _ in range(repeats):
        start = time.perf_counter()
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
                break
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"objects": count, "seconds": best}))


if __name__ == "__main__":
    main()
