import JSON
import YAML

extension FuzzTargets {
    /// The JSON parser reads every body the embedded API server and the clients receive; the
    /// YAML composer reads manifests, configuration and apply bodies.
    static let formats: [FuzzTarget] = [
        FuzzTarget(name: "json", input: "any bytes, as a JSON text") { bytes in
            guard let value = try? JSONValue(parsing: bytes) else { return }
            // What the serializer writes, the parser reads back as the same value, compact or pretty.
            let compact = value.jsonBytes()
            require(sameValue(try? JSONValue(parsing: compact), value), "compact JSON does not read back: \(String(decoding: compact, as: UTF8.self))")
            require(sameValue(try? JSONValue(parsing: value.prettyJSONBytes()), value), "pretty JSON does not read back")
        },
        FuzzTarget(name: "yaml", input: "any bytes, as a YAML stream") { bytes in
            // Small limits, so that alias bombs and deep nesting reach them within a run.
            let limits = YAML.Limits(maximumAliasExpansion: 10_000, maximumDepth: 64)
            guard let documents = try? YAML.parseAll(bytes: bytes, limits: limits) else { return }
            // The emitter writes what the composer reads back as the same values.
            for document in documents {
                let emitted = YAML.emitBytes(document)
                require(sameValue(try? YAML.parse(bytes: emitted), document),
                        "emitted YAML does not read back: \(String(decoding: emitted, as: UTF8.self))")
            }
        },
    ]
}
