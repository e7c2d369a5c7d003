#!/usr/bin/env bash
# Checks Slipway's shipped deployment configuration without a cluster or a Docker engine:
# - manifests/ renders with kustomize and passes checkov; manifests/examples holds only Kubernetes objects and
#   passes checkov too; the Helm chart lints clean (default and other value
#   sets) and renders the same objects, RBAC rules, security contexts, probes and resources;
# - the Dockerfile is hadolint clean;
# - terraform/ is formatted, parses as HCL, and passes checkov (skips are justified inline);
# - the GitHub workflows are well-formed and push images through OIDC only.
# Usage: scripts/check-deploy-config.sh          the checks above (make test runs them)
#        scripts/check-deploy-config.sh image    the image's release build, run natively (make test too):
#                                                static Swift stdlib, one binary, `slipway version`
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step() { printf '== %s\n' "$*"; }
fail() { printf 'check-deploy-config: %s\n' "$*" >&2; exit 1; }

check_image() {
  step "release build as in the Dockerfile (swift build -c release --static-swift-stdlib --product slipway)"
  # A build directory of its own, so that the long release build neither waits for nor
  # blocks the debug builds of make test, and keeps its cache between runs.
  local scratch=.build-image start=$SECONDS
  swift build -c release --static-swift-stdlib --product slipway --scratch-path "$scratch"
  local bin
  bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/slipway"
  echo "built in $((SECONDS - start)) s: $bin"
  step "the binary needs no Swift runtime libraries, only what the runtime image installs"
  local libraries
  libraries=$(ldd "$bin")
  echo "$libraries"
  if grep -q "not found" <<<"$libraries"; then fail "the release binary has unresolved libraries"; fi
  if grep -Eq "libswift|libFoundation|libdispatch|libBlocksRuntime" <<<"$libraries"; then
    fail "the release binary links the Swift runtime dynamically; --static-swift-stdlib did not take"
  fi
  # What the binary itself asks for must come with debian:bookworm-slim (libc, libm, libstdc++,
  # libgcc) or the two packages the runtime stage installs (libcurl4, libyaml-0-2).
  local needed
  needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  echo "needed: $(echo "$needed" | tr '\n' ' ')"
  while read -r library; do
    case "$library" in
      libc.so.6|libm.so.6|libstdc++.so.6|libgcc_s.so.1|ld-linux-*.so.*|libcurl.so.4|libyaml-0.so.2) ;;
      *) fail "the release binary needs $library, which the runtime image does not install" ;;
    esac
  done <<<"$needed"
  step "slipway version"
  "$bin" version || fail "the release binary does not start"
}

if [ "${1:-}" = "image" ]; then
  check_image
  exit 0
fi

step "kustomize: manifests/"
kubectl kustomize manifests > "$tmp/manifests.yaml"

step "helm lint (defaults, namespace-scoped without the bot, with a ServiceMonitor, with pull secrets)"
helm lint --strict charts/slipway
helm lint --strict charts/slipway --set rbac.scope=namespace,rbac.watchNamespace=shop,bot.enabled=false
helm lint --strict charts/slipway --set metrics.serviceMonitor.enabled=true,image.digest=sha256:0000000000000000000000000000000000000000000000000000000000000000
helm lint --strict charts/slipway --set 'registryPullSecrets[0].namespace=shop,registryPullSecrets[0].name=regcred'

step "the chart's CRDs are manifests/crds"
# Slipway's own two; the third-party ones (Istio, Gateway API) belong to those projects' charts.
for crd in deploymentrequests.slipway.dev.yaml deploymenttargets.slipway.dev.yaml; do
  diff "manifests/crds/$crd" "charts/slipway/crds/$crd" \
    || fail "charts/slipway/crds/$crd differs from manifests/crds/$crd: copy it into the chart"
done
[ "$(ls charts/slipway/crds)" = "$(printf '%s\n' deploymentrequests.slipway.dev.yaml deploymenttargets.slipway.dev.yaml)" ] \
  || fail "charts/slipway/crds holds other files than Slipway's two CRDs"

step "helm template agrees with manifests/"
helm template slipway charts/slipway --namespace slipway-system --include-crds > "$tmp/chart.yaml"
helm template slipway charts/slipway --namespace slipway-system --set metrics.serviceMonitor.enabled=true \
  --show-only templates/servicemonitor.yaml > "$tmp/servicemonitor.yaml"
python3 - "$tmp/manifests.yaml" "$tmp/chart.yaml" manifests/prometheus-operator/servicemonitor.yaml "$tmp/servicemonitor.yaml" <<'PY'
import sys, yaml

def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]

def key(doc):
    meta = doc.get("metadata", {})
    return (doc["kind"], meta.get("namespace", ""), meta["name"])

def rules(doc):
    return sorted(
        (tuple(sorted(r.get("apiGroups", []))), tuple(sorted(r.get("resources", []))),
         tuple(sorted(r.get("resourceNames", []))), tuple(sorted(r.get("verbs", []))))
        for r in doc.get("rules", []))

def pod(doc):
    spec = doc["spec"]["template"]["spec"]
    def container(c):
        return {k: c.get(k) for k in ("name", "args", "env", "ports", "livenessProbe", "readinessProbe",
                                       "resources", "securityContext", "volumeMounts")}
    return {
        "replicas": doc["spec"].get("replicas"),
        "serviceAccountName": spec.get("serviceAccountName"),
        "securityContext": spec.get("securityContext"),
        "automountServiceAccountToken": spec.get("automountServiceAccountToken"),
        "containers": [container(c) for c in spec["containers"]],
        "volumes": spec.get("volumes"),
    }

manifests = {key(d): d for d in load(sys.argv[1]) if d["kind"] != "Namespace"}
chart = {key(d): d for d in load(sys.argv[2])}
problems = []
if set(manifests) != set(chart):
    for k in sorted(set(manifests) - set(chart)):
        problems.append(f"only in manifests/: {k}")
    for k in sorted(set(chart) - set(manifests)):
        problems.append(f"only in the chart: {k}")
for k in sorted(set(manifests) & set(chart)):
    a, b = manifests[k], chart[k]
    kind = k[0]
    if kind in ("Role", "ClusterRole"):
        if rules(a) != rules(b):
            problems.append(f"{k}: RBAC rules differ:\n  manifests: {rules(a)}\n  chart:     {rules(b)}")
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        if (a["roleRef"], a["subjects"]) != (b["roleRef"], b["subjects"]):
            problems.append(f"{k}: roleRef or subjects differ")
    elif kind == "Deployment":
        pa, pb = pod(a), pod(b)
        for field in pa:
            if pa[field] != pb[field]:
                problems.append(f"{k}: {field} differs:\n  manifests: {pa[field]}\n  chart:     {pb[field]}")
    elif kind == "ConfigMap":
        da = {n: yaml.safe_load(v) for n, v in a.get("data", {}).items()}
        db = {n: yaml.safe_load(v) for n, v in b.get("data", {}).items()}
        if da != db:
            problems.append(f"{k}: data differs")
    elif kind in ("Service", "PodDisruptionBudget", "NetworkPolicy", "CustomResourceDefinition"):
        if a["spec"] != b["spec"]:
            problems.append(f"{k}: spec differs")
# Every Deployment is hardened the same way, whichever way it is installed.
for source, docs in (("manifests/", manifests), ("chart", chart)):
    for k, d in docs.items():
        if d["kind"] != "Deployment":
            continue
        spec = d["spec"]["template"]["spec"]
        if spec.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault" or not spec["securityContext"].get("runAsNonRoot"):
            problems.append(f"{source} {k}: the pod must run as non-root with seccomp RuntimeDefault")
        for c in spec["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True \
                    or sc.get("capabilities", {}).get("drop") != ["ALL"] or not sc.get("runAsNonRoot"):
                problems.append(f"{source} {k}: container {c['name']} is not hardened: {sc}")
            if not c.get("resources", {}).get("limits") or not c.get("resources", {}).get("requests"):
                problems.append(f"{source} {k}: container {c['name']} has no requests and limits")
            if not c.get("livenessProbe") or not c.get("readinessProbe"):
                problems.append(f"{source} {k}: container {c['name']} has no probes")
monitor_manifest, monitor_chart = load(sys.argv[3])[0], load(sys.argv[4])[0]
if monitor_manifest["spec"]["endpoints"] != monitor_chart["spec"]["endpoints"]:
    problems.append("ServiceMonitor endpoints differ between manifests/prometheus-operator and the chart")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"{len(chart)} objects agree (kinds: {', '.join(sorted({k[0] for k in chart}))})")
PY

step "checkov: the rendered manifests and chart (skips are justified in the Deployments' annotations)"
mkdir -p "$tmp/rendered"
cp "$tmp/manifests.yaml" "$tmp/rendered/manifests.yaml"
cp "$tmp/chart.yaml" "$tmp/rendered/chart.yaml"
checkov -d "$tmp/rendered" --framework kubernetes --quiet --compact --skip-download 2>/dev/null \
  || fail "checkov found failing checks in manifests/ or the chart"

step "manifests/examples: Kubernetes objects only, checkov clean (skips are justified inline)"
python3 - manifests/examples <<'PY'
import glob, os, sys, yaml
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.yaml"), recursive=True))
for path in files:
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc is not None and not (isinstance(doc, dict) and doc.get("apiVersion") and doc.get("kind")):
                sys.exit(f"{path}: not a Kubernetes object (kubectl apply -R -f manifests/examples would fail); keep other files elsewhere")
print(f"{len(files)} files hold Kubernetes objects only")
PY
checkov -d manifests/examples --framework kubernetes --quiet --compact --skip-download 2>/dev/null \
  || fail "checkov found failing checks in manifests/examples (run: checkov -d manifests/examples --framework kubernetes)"

step "hadolint Dockerfile"
hadolint Dockerfile

step "terraform fmt -check"
terraform fmt -check -recursive -diff terraform
step "terraform/ parses as HCL"
python3 - terraform <<'PY'
import glob, os, sys
import hcl2
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.tf"), recursive=True))
for path in files:
    with open(path) as f:
        hcl2.load(f)
print(f"{len(files)} files parse")
PY
step "checkov terraform/"
checkov -d terraform --framework terraform --quiet --compact --skip-download 2>/dev/null \
  || fail "checkov found failing checks in terraform/ (run: checkov -d terraform --framework terraform)"

step "GitHub workflows"
python3 - .github/workflows <<'PY'
import glob, os, sys, yaml
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yml")))
if not files:
    sys.exit("no workflows in .github/workflows")
for path in files:
    with open(path) as f:
        text = f.read()
    workflow = yaml.safe_load(text)
    # PyYAML reads the key `on` as the boolean True.
    if not (workflow.get("on") or workflow.get(True)) or not workflow.get("jobs"):
        sys.exit(f"{path}: a workflow needs `on` and `jobs`")
    for name, job in workflow["jobs"].items():
        if "runs-on" not in job or "steps" not in job:
            sys.exit(f"{path}: job {name} needs runs-on and steps")
        for step in job["steps"]:
            uses = step.get("uses", "")
            if uses and "@" not in uses:
                sys.exit(f"{path}: step {uses} must pin a version")
    if "aws-access-key-id" in text or "AWS_SECRET_ACCESS_KEY" in text:
        sys.exit(f"{path}: use OIDC (role-to-assume), never long-lived AWS keys")
print(f"{len(files)} workflows are well-formed")
PY
echo "deployment configuration checks passed"
