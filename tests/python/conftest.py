"""Starts `slipway cluster` once for the session and hands its kubeconfig to the tests."""

import os
import queue
import subprocess
import tempfile
import threading
import time

import pytest

STARTUP_TIMEOUT = 60


def _slipway_binary():
    binary = os.environ.get("SLIPWAY", ".build/debug/slipway")
    if not os.path.isfile(binary):
        pytest.fail(f"slipway binary not found at {binary}; build it with `swift build --product slipway` or set SLIPWAY")
    return binary


@pytest.fixture(scope="session")
def cluster():
    """A running cluster: yields the path of its kubeconfig."""
    workdir = tempfile.mkdtemp(prefix="slipway-pytest-")
    kubeconfig = os.path.join(workdir, "kubeconfig")
    state = os.path.join(workdir, "state")
    process = subprocess.Popen(
        [_slipway_binary(), "cluster", "--port", "0", "--kubeconfig-out", kubeconfig, "--state-dir", state],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = queue.Queue()

    def pump(stream):
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, args=(process.stdout,), daemon=True).start()
    threading.Thread(target=process.stderr.read, daemon=True).start()

    deadline = time.monotonic() + STARTUP_TIMEOUT
    seen = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            process.kill()
            pytest.fail(f"slipway cluster did not report listening; output so far: {seen}")
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        seen.append(line)
        if line.startswith("Kubeconfig written to"):
            break
    assert any(l.startswith("Kubernetes API listening on https://127.0.0.1:") for l in seen)

    yield kubeconfig

    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def api_client(cluster):
    from kubernetes import client, config

    return config.new_client_from_config(config_file=cluster)
