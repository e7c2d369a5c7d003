# syntax=docker/dockerfile:1
# Slipway's container image: one static-stdlib binary (`slipway controller`, `slipway bot`) on a
# slim Debian with only the C libraries it links (libcurl, libyaml) and CA certificates.
#   docker build -t slipway:dev .
# scripts/check-deploy-config.sh image runs the same release build natively and starts the binary.

# Build: the official Swift toolchain image, pinned to the release the project is tested with.
FROM swift:6.3.1-bookworm AS build
# Headers of the two system libraries the package links (CCurl, CYAML). Versions follow the
# bookworm security archive, so a rebuild picks up fixes.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libyaml-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not fetch them again.
# Package.resolved, when present, pins the dependency versions.
COPY Package.* ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
COPY Fuzz/SlipwayFuzz ./Fuzz/SlipwayFuzz
RUN swift package resolve
# --static-swift-stdlib links the Swift runtime and Foundation into the binary, so the runtime
# image needs no Swift toolchain.
RUN swift build -c release --static-swift-stdlib --product slipway \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway" /out/slipway

# Runtime: the shared libraries the binary needs, nothing else (no shell tools are added).
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libyaml-0-2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 slipway \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin slipway
COPY --from=build /out/slipway /usr/local/bin/slipway
# Numeric, so that Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/slipway"]
CMD ["controller"]
