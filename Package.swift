// swift-tools-version:6.1
import PackageDescription

/// Every Slipway target builds in Swift 6 language mode with strict concurrency.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "slipway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipway", targets: ["slipway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries the project is built on: libcurl is the HTTP client, libyaml the YAML parser.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),

        // JSON-compatible values: the common currency of YAML, the API client and the embedded cluster.
        .target(
            name: "JSON",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict
        ),
        .target(name: "YAML", dependencies: ["CYAML", "JSON"], swiftSettings: strict),
        .target(
            name: "HTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Kube",
            dependencies: ["HTTP", "YAML", "JSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The API semantics of the embedded cluster, without any networking.
        .target(
            name: "ClusterCore",
            dependencies: ["JSON", "YAML", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The embedded cluster's HTTPS server.
        .target(
            name: "LocalCluster",
            dependencies: [
                "ClusterCore", "JSON", "YAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "slipway",
            dependencies: [
                "LocalCluster", "Kube", "KubeRuntime", "Rollout", "SlipwayAPI", "Telegram", "TelegramChatOps",
                "ChatOps", "Observability", "SlipwayCLI", "YAML", "JSON", "PrometheusProcess", "Registry", "RegistryProcess",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "JSON"], swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"], swiftSettings: strict),
        .testTarget(name: "KubeTests", dependencies: ["Kube", "HTTP", "YAML", "JSON"], swiftSettings: strict),
        .testTarget(name: "ClusterCoreTests", dependencies: ["ClusterCore", "JSON", "YAML"], swiftSettings: strict),
        .testTarget(
            name: "LocalClusterTests",
            dependencies: [
                "LocalCluster", "ClusterCore", "Kube", "HTTP", "JSON", "YAML", "KubeRuntime", "PrometheusProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeRuntime",
            dependencies: ["Kube", "JSON", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "HeapModule", package: "swift-collections")],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeRuntime", "Kube", "JSON", "HTTP", .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .target(name: "SlipwayAPI", dependencies: ["Kube", "JSON", "YAML", "Registry"], swiftSettings: strict),
        .testTarget(
            name: "SlipwayAPITests",
            dependencies: ["SlipwayAPI", "Kube", "JSON", "YAML", "ClusterCore"],
            swiftSettings: strict
        ),
        .target(
            name: "Rollout",
            dependencies: ["KubeRuntime", "SlipwayAPI", "Registry", "Kube", "HTTP", "JSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "RolloutTests", dependencies: ["Rollout", "SlipwayAPI", "KubeRuntime", "Kube", "JSON", "ClusterCore", "YAML"], swiftSettings: strict),
        // `make bench`: client throughput and latency against the embedded cluster.
        .executableTarget(
            name: "SlipwayBenchmarks",
            dependencies: ["Kube", "HTTP", "JSON", "FakeTelegramAPI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/SlipwayBenchmarks",
            swiftSettings: strict
        ),
        // Coverage-guided fuzz targets for the code that reads untrusted bytes. scripts/fuzz.sh builds
        // them with libFuzzer and AddressSanitizer (`make fuzz`); the ordinary build replays inputs.
        .executableTarget(
            name: "SlipwayFuzz",
            dependencies: ["JSON", "YAML", "ClusterCore", "Kube", "SlipwayAPI", "Telegram", "TelegramChatOps", "ChatOps", "Registry",
                           .product(name: "Crypto", package: "swift-crypto")],
            path: "Fuzz/SlipwayFuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Kube", "SlipwayAPI", "JSON", "YAML", "FakeTelegramAPI", "PrometheusProcess", "Registry", "RegistryProcess",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Chat operations, front-end neutral: commands, roles, signed buttons, audit log, progress.
        .target(
            name: "ChatOps",
            dependencies: [
                "SlipwayAPI", "Registry", "Kube", "KubeRuntime", "HTTP", "JSON", "YAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ChatOpsTests",
            dependencies: [
                "ChatOps", "SlipwayAPI", "Kube", "HTTP", "JSON", "YAML", "LocalCluster", "ClusterCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Metrics (Prometheus exposition through swift-metrics) and log formats for the executables.
        .target(
            name: "Observability",
            dependencies: [
                "Kube", "KubeRuntime", "SlipwayAPI", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: [
                "Observability", "KubeRuntime", "Kube", "SlipwayAPI", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The Telegram Bot API client: updates, messages, keyboards, webhooks. Knows nothing of Kubernetes.
        .target(
            name: "Telegram",
            dependencies: ["HTTP", "JSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // A Bot API server on loopback that behaves like Telegram's, for tests only.
        .target(
            name: "FakeTelegramAPI",
            dependencies: [
                "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TelegramTests/FakeServer",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TelegramTests",
            dependencies: ["Telegram", "TelegramChatOps", "ChatOps", "FakeTelegramAPI", "HTTP", "JSON", .product(name: "Logging", package: "swift-log")],
            exclude: ["FakeServer"],
            swiftSettings: strict
        ),
        // Telegram as a ChatOps front-end: the chat surface, update translation, command menus.
        .target(
            name: "TelegramChatOps",
            dependencies: ["Telegram", "ChatOps", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The request CLI's logic: tables, progress rendering, exit codes, the demo's scenario.
        .target(name: "SlipwayCLI", dependencies: ["SlipwayAPI", "Kube", "JSON", "YAML"], swiftSettings: strict),
        .testTarget(name: "SlipwayCLITests", dependencies: ["SlipwayCLI", "SlipwayAPI", "Kube", "JSON", "YAML"], swiftSettings: strict),
        // The OCI distribution client: manifests, blobs, the token flow, cosign signatures.
        .target(
            name: "Registry",
            dependencies: ["HTTP", "JSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // A real distribution registry process on loopback (TLS from a throwaway CA, htpasswd or
        // token auth) and an image publisher, for the demo and the tests.
        .target(
            name: "RegistryProcess",
            dependencies: [
                "Registry", "HTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "Registry", "RegistryProcess", "HTTP", "JSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A real Prometheus server process on loopback (config, free port, readiness, queries, stop)
        // for the demo and the tests that run PromQL against real scrapes.
        .target(name: "PrometheusProcess", dependencies: ["HTTP", "JSON"], swiftSettings: strict),
    ]
)
