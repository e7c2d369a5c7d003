#!/usr/bin/env bash
# Checks monitoring/: the Prometheus configuration and alert rules parse (promtool check), every
# alert behaves as its unit tests say (promtool test rules), and the Grafana files are valid JSON/YAML.
# Run from `make test`; promtool comes with scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

promtool="${PROMTOOL:-$(command -v promtool || echo /usr/bin/promtool)}"
if [ ! -x "$promtool" ]; then
  echo "promtool not found; run scripts/install-deps.sh test" >&2
  exit 1
fi

# Debian's Prometheus is built without Kubernetes service discovery, and its promtool rejects
# kubernetes_sd_configs. Where that is so, the Kubernetes blocks are checked here against the
# documented schema, replaced by empty static_configs, and promtool checks everything else
# (relabelling, rule files, alerting) in a copy.
# See https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config
config=monitoring/prometheus.yml
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
if ! "$promtool" check config "$config" >"$workdir/out" 2>&1; then
  if grep -q "field kubernetes_sd_configs not found" "$workdir/out"; then
    echo "promtool lacks Kubernetes service discovery; checking kubernetes_sd_configs separately"
    python3 - "$config" "$workdir" <<'PY'
import pathlib, shutil, sys
import yaml

source, workdir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
config = yaml.safe_load(source.read_text())
roles = {"node", "service", "pod", "endpoints", "endpointslice", "ingress"}
allowed = {"api_server", "role", "kubeconfig_file", "namespaces", "selectors", "attach_metadata",
           "basic_auth", "authorization", "oauth2", "follow_redirects", "enable_http2", "tls_config", "proxy_url"}
for job in config.get("scrape_configs", []):
    for sd in job.pop("kubernetes_sd_configs", None) or []:
        unknown = set(sd) - allowed
        assert not unknown, f"{job['job_name']}: unknown kubernetes_sd_configs fields {sorted(unknown)}"
        assert sd.get("role") in roles, f"{job['job_name']}: role must be one of {sorted(roles)}"
        for selector in sd.get("selectors", []):
            assert selector.get("role") in roles, f"{job['job_name']}: selector role must be one of {sorted(roles)}"
            assert set(selector) <= {"role", "label", "field"}, f"{job['job_name']}: unknown selector fields"
        job.setdefault("static_configs", [])
    print(f"  {job['job_name']}: ok")
for rule_file in config.get("rule_files", []):
    shutil.copy(source.parent / rule_file, workdir / rule_file)
(workdir / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))
PY
    "$promtool" check config "$workdir/prometheus.yml"
  else
    cat "$workdir/out" >&2
    exit 1
  fi
else
  cat "$workdir/out"
fi
"$promtool" check rules monitoring/alerts.yml
"$promtool" test rules monitoring/tests/*.yml

python3 - <<'PY'
import json, pathlib, sys
import yaml

for path in sorted(pathlib.Path("monitoring/grafana").rglob("*.json")):
    json.loads(path.read_text())
    print(f"  {path}: valid JSON")
for path in sorted(pathlib.Path("monitoring/grafana").rglob("*.yml")) + sorted(pathlib.Path("monitoring/grafana").rglob("*.yaml")):
    yaml.safe_load(path.read_text())
    print(f"  {path}: valid YAML")
PY
echo "monitoring checks passed"
