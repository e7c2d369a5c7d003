import Kube

/// The ConfigMaps the benchmark stores: numbered names and about 1 KiB of data each.
enum BenchmarkObjects {
    static let namePrefix = "bench-"

    static func name(_ index: Int) -> String {
        namePrefix + String(index)
    }

    /// Four values of 256 characters: 1 KiB of data, in the range of a typical small ConfigMap.
    static func data(index: Int, revision: Int) -> [String: String] {
        var data: [String: String] = [:]
        for key in 0..<4 {
            let stamp = "\(index)-\(revision)-\(key)-"
            let filler = String(repeating: "abcdefghijklmnop", count: 16)
            data["value\(key)"] = String((stamp + filler).prefix(256))
        }
        return data
    }

    static func configMap(index: Int, namespace: String, revision: Int) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name(index), namespace: namespace,
                                       labels: ["app.kubernetes.io/part-of": "slipway-benchmark"]),
                  data: data(index: index, revision: revision))
    }
}
