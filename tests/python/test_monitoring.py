"""Slipway's metrics, alerts and dashboard against a real run.

One `slipway cluster` and one `slipway controller` run as separate processes (as an operator runs
them); a real Prometheus scrapes the controller every second with monitoring/alerts.yml loaded.
A good blue/green release and a failing one go through the controller; then the tests read the
controller's /metrics, evaluate every query of the Grafana dashboard through Prometheus' HTTP API,
and check the alerts Prometheus computes.
"""

import json
import math
import os
import pathlib
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "slipway.json"
ALERTS = ROOT / "monitoring" / "alerts.yml"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
KUBECTL = shutil.which("kubectl")
NAMESPACE = "shop"
TARGET = "app-production"
CANARY_NAMESPACE = "search"
CANARY_TARGET = "app-staging"
FINISHED = {"Succeeded", "Failed", "RolledBack", "Rejected", "Aborted"}

# Grafana's variables, as the dashboard would fill them with "All" environments selected.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$env": ".*"}

pytestmark = pytest.mark.skipif(
    not (os.path.isfile(PROMETHEUS) and KUBECTL), reason="prometheus and kubectl are needed (scripts/install-deps.sh test)"
)


class Process:
    """A child process whose output lines are collected as they arrive."""

    def __init__(self, arguments, **kwargs):
        self.popen = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
        self.stdout, self.stderr = [], []
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.popen.stdout, self.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.popen.stderr, self.stderr, False), daemon=True).start()

    def _pump(self, stream, into, announce):
        for line in stream:
            into.append(line)
            if announce:
                self._lines.put(line)

    def wait_for_line(self, prefix, timeout=60):
        """The first standard output line starting with `prefix` (waiting for it)."""
        deadline = time.monotonic() + timeout
        for line in list(self.stdout):
            if line.startswith(prefix):
                return line.strip()
        while time.monotonic() < deadline:
            if self.popen.poll() is not None and self._lines.empty():
                break
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no line starting with {prefix!r}; stdout {self.stdout[-20:]} stderr {self.stderr[-20:]}")

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def application():
    def deployment(slot, replicas):
        return {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"app-{slot}", "namespace": NAMESPACE, "labels": {"app": "app", "slot": slot}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "app", "slot": slot}},
                "template": {
                    "metadata": {"labels": {"app": "app", "slot": slot}},
                    "spec": {"containers": [{"name": "app", "image": "shop/app:1.0.0", "ports": [{"containerPort": 8080}]}]},
                },
            },
        }

    def service(name, slot):
        return {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"selector": {"app": "app", "slot": slot}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
        }

    def gate(name, url):
        return {"name": name, "intervalSeconds": 1, "successThreshold": 2, "failureLimit": 1,
                "http": {"url": url, "timeoutSeconds": 1}}

    target = {
        "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget",
        "metadata": {"name": TARGET, "namespace": NAMESPACE},
        "spec": {
            "environment": "production",
            "source": {"imageRepository": "shop/app"},
            "container": "app",
            "strategy": {"blueGreen": {
                "activeService": "app", "previewService": "app-preview",
                "blueDeployment": "app-blue", "greenDeployment": "app-green",
                "autoPromote": True, "scaleDownDelaySeconds": 1,
                "prePromotionGates": ["preview-healthy"], "postPromotionGates": ["live-healthy"],
            }},
            "gates": [gate("preview-healthy", f"http://app-preview.{NAMESPACE}.svc/healthz"),
                      gate("live-healthy", f"http://app.{NAMESPACE}.svc/healthz")],
            "onGateFailure": "rollback",
            "approval": {"required": False, "minApprovers": 1, "requesterMayApprove": False},
            "historyLimit": 10,
            "progressDeadlineSeconds": 60,
        },
    }
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
            deployment("blue", 2), deployment("green", 0), service("app", "blue"), service("app-preview", "green"), target]


def canary_application():
    """A staging app released by canary over the replica ratio: 25 %, a pause, 50 %, a pause, then all."""
    def deployment(track, replicas):
        return {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"app-{track}", "namespace": CANARY_NAMESPACE, "labels": {"app": "app", "track": track}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "app", "track": track}},
                "template": {
                    "metadata": {"labels": {"app": "app", "track": track}},
                    "spec": {"containers": [{"name": "app", "image": "shop/app:1.0.0", "ports": [{"containerPort": 8080}]}]},
                },
            },
        }

    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "app", "namespace": CANARY_NAMESPACE},
        "spec": {"selector": {"app": "app"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
    }
    target = {
        "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget",
        "metadata": {"name": CANARY_TARGET, "namespace": CANARY_NAMESPACE},
        "spec": {
            "environment": "staging",
            "source": {"imageRepository": "shop/app"},
            "container": "app",
            "strategy": {"canary": {
                "stableDeployment": "app-stable", "canaryDeployment": "app-canary", "service": "app",
                "trafficRouting": {"replicaRatio": {}},
                "steps": [{"setWeight": 25}, {"pause": {"durationSeconds": 3}}, {"setWeight": 50}, {"pause": {"durationSeconds": 3}}],
            }},
            "gates": [],
            "onGateFailure": "rollback",
            "historyLimit": 10,
            "progressDeadlineSeconds": 120,
        },
    }
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": CANARY_NAMESPACE}},
            deployment("stable", 4), deployment("canary", 0), service, target]


def request(name, image, namespace=NAMESPACE, target=TARGET):
    return {
        "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest",
        "metadata": {"name": name, "namespace": namespace, "annotations": {"slipway.dev/requested-by": "ci"}},
        "spec": {"target": target, "action": "deploy", "image": image, "commit": "abcdef1"},
    }


class Run:
    """The processes and addresses of one run."""

    def __init__(self, workdir):
        self.workdir = pathlib.Path(workdir)
        self.kubeconfig = str(self.workdir / "kubeconfig")
        self.processes = []

    def kubectl(self, *arguments, stdin=None):
        result = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "--cache-dir", str(self.workdir / "kube-cache"), *arguments],
                                input=stdin, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"kubectl {' '.join(arguments)}: {result.stderr}"
        return result.stdout

    def apply(self, objects):
        self.kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(objects))

    def phase(self, name, namespace=NAMESPACE):
        return self.kubectl("get", "deploymentrequest", name, "-n", namespace, "-o", "jsonpath={.status.phase}").strip()

    def start_controller(self, *extra, wait_until_started=True):
        controller = Process([self.binary, "controller", "--kubeconfig", self.kubeconfig, "--http-proxy", self.proxy,
                              "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json", *extra])
        self.processes.append(controller)
        self.controller = controller
        controller.metrics_url = controller.wait_for_line("metrics endpoint listening on ").split(" on ", 1)[1] + "/metrics"
        controller.health_url = controller.wait_for_line("health endpoint listening on ").split(" on ", 1)[1]
        self.metrics_url = controller.metrics_url
        if wait_until_started:
            controller.wait_for_line("slipway controller started")
        return controller

    def query(self, promql):
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        _, body = http_get(url)
        answer = json.loads(body)
        assert answer["status"] == "success", f"{promql}: {answer}"
        return answer["data"]["result"]

    def query_range(self, promql, minutes, step):
        end = time.time()
        parameters = {"query": promql, "start": end - minutes * 60, "end": end, "step": step}
        _, body = http_get(f"{self.prometheus_url}/api/v1/query_range?" + urllib.parse.urlencode(parameters))
        answer = json.loads(body)
        assert answer["status"] == "success", f"{promql}: {answer}"
        return answer["data"]["result"]

    def stop(self):
        for process in reversed(self.processes):
            process.stop()


@pytest.fixture(scope="module")
def run():
    binary = os.environ.get("SLIPWAY", str(ROOT / ".build" / "debug" / "slipway"))
    if not os.path.isfile(binary):
        pytest.fail(f"slipway binary not found at {binary}; build it with `swift build --product slipway` or set SLIPWAY")
    workdir = tempfile.mkdtemp(prefix="slipway-monitoring-")
    run = Run(workdir)
    run.binary = binary
    try:
        cluster = Process([binary, "cluster", "--port", "0", "--kubeconfig-out", run.kubeconfig, "--readiness-delay", "0.3",
                           "--log-level", "warning"])
        run.processes.append(cluster)
        run.proxy = cluster.wait_for_line("HTTP proxy for in-cluster services on ").rsplit(" ", 1)[1]
        cluster.wait_for_line("Kubeconfig written to")
        run.kubectl("apply", "-f", str(ROOT / "manifests" / "crds"))
        wait_until(lambda: subprocess.run([KUBECTL, "--kubeconfig", run.kubeconfig, "get", "deploymentrequests", "-A"],
                                          capture_output=True).returncode == 0, 30, "the Slipway CRDs to be served")
        run.start_controller()

        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(ALERTS)],
            "scrape_configs": [{
                "job_name": "slipway",
                "static_configs": [{"targets": [urllib.parse.urlparse(run.metrics_url).netloc], "labels": {"component": "controller"}}],
            }],
        }
        (run.workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        prometheus = Process([PROMETHEUS, f"--config.file={run.workdir / 'prometheus.yml'}",
                              f"--storage.tsdb.path={run.workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"])
        run.processes.append(prometheus)
        run.prometheus_url = f"http://127.0.0.1:{port}"

        def prometheus_ready():
            try:
                return http_get(run.prometheus_url + "/-/ready")[0] == 200
            except OSError:
                return False

        wait_until(prometheus_ready, 60, "Prometheus to be ready")
        # Scraped before any release: counters start at 0, so increase() sees each release.
        wait_until(lambda: run.query('up{job="slipway"} == 1'), 30, "Prometheus to scrape the controller")

        run.apply(application())
        run.apply([request("release-good", "shop/app:2.0.0")])
        wait_until(lambda: run.phase("release-good") in FINISHED, 90, "the good release to finish")
        run.apply([request("release-bad", "shop/app:2.1.0-unhealthy")])
        wait_until(lambda: run.phase("release-bad") in FINISHED, 90, "the failing release to finish")
        run.apply(canary_application())
        run.apply([request("release-canary", "shop/app:2.0.0", namespace=CANARY_NAMESPACE, target=CANARY_TARGET)])
        wait_until(lambda: run.phase("release-canary", namespace=CANARY_NAMESPACE) in FINISHED, 120, "the canary release to finish")
        # Prometheus has seen both outcomes.
        wait_until(lambda: run.query('deployments_total{status="failed"} == 1'), 30, "Prometheus to scrape the failure")
        wait_until(lambda: run.query('deployments_total{env="staging", status="success"} == 1'), 30, "Prometheus to scrape the canary")
        yield run
    finally:
        run.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def parse_metrics(text):
    """Prometheus text format → {(name, frozenset(labels)): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        if "{" in head:
            name, labels = head.split("{", 1)
            pairs = {}
            for part in labels.rstrip("}").split('",'):
                if part:
                    key, raw = part.split("=", 1)
                    pairs[key.strip()] = raw.strip().strip('"')
        else:
            name, pairs = head, {}
        samples[(name, frozenset(pairs.items()))] = float(value)
    return samples


def value(samples, metric, **labels):
    """Sum of the samples of `metric` whose labels include `labels`."""
    wanted = set(labels.items())
    matching = [v for (n, l), v in samples.items() if n == metric and wanted <= set(l)]
    assert matching, f"no sample {metric}{labels}"
    return sum(matching)


def test_phases_of_the_releases(run):
    assert run.phase("release-good") == "Succeeded"
    assert run.phase("release-bad") == "Failed"
    assert run.phase("release-canary", namespace=CANARY_NAMESPACE) == "Succeeded"


def test_metrics_count_the_release_and_the_failure(run):
    status, body = http_get(run.metrics_url)
    assert status == 200
    samples = parse_metrics(body)
    production = {"env": "production"}
    target = {"env": "production", "namespace": NAMESPACE, "target": TARGET}

    # The manual's metrics.
    assert value(samples, "deployments_total", status="success", **production) == 1
    assert value(samples, "deployments_total", status="failed", **production) == 1
    assert value(samples, "deployments_total", status="rolled_back", **production) == 0
    assert value(samples, "deployment_duration_seconds_count", **production) == 2
    assert value(samples, "deployment_duration_seconds_sum", **production) > 0
    assert value(samples, "health_check_up", **target) == 1

    # Requests, targets and gates.
    assert value(samples, "slipway_requests", phase="Succeeded", **target) == 1
    assert value(samples, "slipway_requests", phase="Failed", **target) == 1
    assert value(samples, "slipway_requests", phase="Progressing", **target) == 0
    assert value(samples, "slipway_canary_weight", strategy="BlueGreen", **target) == 0
    assert value(samples, "slipway_target_last_deployed_timestamp_seconds", **target) > time.time() - 600
    assert value(samples, "slipway_gate_results_total", gate="pre/preview-healthy", result="success", **target) >= 2
    assert value(samples, "slipway_gate_results_total", gate="pre/preview-healthy", result="failure", **target) >= 1
    assert value(samples, "slipway_gate_results_total", gate="post/live-healthy", result="success", **target) >= 2

    # The controller: leadership, readiness, build, reconciles, queue, API requests.
    assert value(samples, "slipway_controller_leader") == 1
    assert value(samples, "slipway_controller_ready") == 1
    assert value(samples, "slipway_build_info", component="controller") == 1
    assert value(samples, "controller_runtime_reconcile_total", controller="deploymentrequest") > 0
    assert value(samples, "controller_runtime_reconcile_time_seconds_count", controller="deploymentrequest") > 0
    assert value(samples, "workqueue_adds_total", name="deploymentrequest") > 0
    assert ("workqueue_depth", frozenset({("name", "deploymentrequest")})) in samples
    assert value(samples, "slipway_kube_api_requests_total", verb="list", resource="deploymentrequests", code="200") >= 1
    assert value(samples, "slipway_kube_api_requests_total", verb="watch", resource="deploymentrequests", code="200") >= 1
    assert value(samples, "slipway_kube_api_request_duration_seconds_count", verb="list") >= 1

    # The canary release, in its own environment.
    assert value(samples, "deployments_total", env="staging", status="success") == 1
    assert value(samples, "slipway_canary_weight", env="staging", strategy="Canary") == 0

    # Label values stay bounded: no request names, users or commits.
    for (_, labels) in samples:
        for _, label_value in labels:
            assert label_value not in {"release-good", "release-bad", "release-canary", "ci", "abcdef1"}, labels


def dashboard_queries():
    dashboard = json.loads(DASHBOARD.read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            queries.append((panel["title"], target["refId"], target["expr"]))
    return queries


def test_dashboard_has_the_manual_panels():
    titles = {panel["title"] for panel in json.loads(DASHBOARD.read_text())["panels"]}
    for title in ["Deployment frequency", "Deployment duration by environment", "Success / failure", "Time since last deployment",
                  "Health check status", "Canary weight", "Gate results"]:
        assert title in titles


def test_every_dashboard_query_returns_data(run):
    queries = dashboard_queries()
    assert len(queries) >= 10
    empty = []
    for title, ref, expr in queries:
        promql = expr
        for variable, replacement in GRAFANA_VARIABLES.items():
            promql = promql.replace(variable, replacement)
        assert "$" not in promql, f"{title}/{ref}: unknown variable in {expr}"
        result = run.query(promql)
        finite = [float(series["value"][1]) for series in result if math.isfinite(float(series["value"][1]))]
        if not finite:
            empty.append(f"{title}/{ref}: {promql} -> {result}")
    assert not empty, "queries without data:\n" + "\n".join(empty)


def test_health_panel_shows_both_environments_up(run):
    result = run.query('min by (env) (health_check_up{env=~".*"})')
    assert {series["metric"]["env"]: series["value"][1] for series in result} == {"production": "1", "staging": "1"}


def test_canary_weight_over_time_shows_each_step(run):
    # The weight panel as Grafana draws it: a range query at the scrape interval. Each weight is held
    # for a 3 s pause, so every step is scraped; the 0 before the first step may last under a scrape.
    series = run.query_range('slipway_canary_weight{env="staging", strategy="Canary"}', minutes=10, step="1s")
    assert len(series) == 1, f"one weight series for the canary target, got {series}"
    seen = []
    for _, sample in series[0]["values"]:
        weight = float(sample)
        if not seen or seen[-1] != weight:
            seen.append(weight)
    assert [weight for weight in seen if weight] == [25, 50] and seen[-1] == 0, \
        f"the weight should have moved through 25 and 50 and back to 0, drawn as {seen}"


def test_prometheus_loads_every_alert_rule_and_fires_deployment_failed(run):
    _, body = http_get(run.prometheus_url + "/api/v1/rules")
    rules = [rule for group in json.loads(body)["data"]["groups"] for rule in group["rules"]]
    names = {rule["name"] for rule in rules}
    assert names == {"DeploymentFailed", "HealthCheckDown", "RequestStuck", "ControllerDown", "ControllerNoLeader", "LeaderFlapping",
                     "TelegramUnreachable"}
    assert all(rule["health"] == "ok" for rule in rules), [(rule["name"], rule.get("lastError")) for rule in rules]

    def firing():
        _, answer = http_get(run.prometheus_url + "/api/v1/alerts")
        return [alert for alert in json.loads(answer)["data"]["alerts"]
                if alert["labels"]["alertname"] == "DeploymentFailed" and alert["state"] == "firing"]

    alerts = wait_until(firing, 30, "DeploymentFailed to fire")
    assert alerts[0]["labels"]["env"] == "production"
    assert alerts[0]["labels"]["status"] == "failed"
    assert alerts[0]["annotations"]["runbook_url"] == "docs/runbooks/DeploymentFailed.md"
    assert (ROOT / alerts[0]["annotations"]["runbook_url"]).is_file()


def test_controller_logs_are_json_lines_without_secrets(run):
    lines = [line for line in run.controller.stderr if line.strip()]
    assert lines, "the controller logged nothing"
    kubeconfig = yaml.safe_load(pathlib.Path(run.kubeconfig).read_text())
    secrets = [user["user"].get("token") for user in kubeconfig["users"] if user["user"].get("token")]
    for line in lines:
        entry = json.loads(line)
        assert list(entry)[:4] == ["timestamp", "level", "label", "message"], entry
        for secret in secrets:
            assert secret not in line


def test_a_restarted_controller_does_not_count_finished_releases_again(run):
    run.controller.stop()
    run.start_controller()
    status, body = http_get(run.metrics_url)
    assert status == 200
    samples = parse_metrics(body)
    assert value(samples, "deployments_total", env="production", status="success") == 0
    assert value(samples, "deployments_total", env="production", status="failed") == 0
    # What is, is still reported.
    assert value(samples, "slipway_requests", env="production", phase="Succeeded") == 1
    assert value(samples, "health_check_up", env="production") == 1


def test_with_leader_election_only_the_leader_reports_releases(run):
    run.controller.stop()
    election = ("--leader-elect", "--lease-namespace", "default", "--lease-name", "slipway-monitoring-test")
    leader = run.start_controller(*election)
    standby = run.start_controller(*election, wait_until_started=False)

    def scrape(controller):
        return parse_metrics(http_get(controller.metrics_url)[1])

    wait_until(lambda: value(scrape(leader), "slipway_controller_leader") == 1, 30, "the first controller to lead")
    standby_samples = wait_until(lambda: scrape(standby), 30, "the standby to serve metrics")
    assert value(standby_samples, "slipway_controller_leader") == 0
    # A standby is ready (healthy, only not leading) and reports no releases, so sums over replicas count each once.
    assert http_get(standby.health_url + "/readyz")[0] == 200
    assert not [name for (name, _) in standby_samples if name in {"deployments_total", "health_check_up", "slipway_requests"}]
    leader_samples = scrape(leader)
    assert value(leader_samples, "health_check_up", env="production") == 1
    assert value(leader_samples, "deployments_total", env="production", status="success") == 0
