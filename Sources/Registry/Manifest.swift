import JSON

/// A content descriptor: what a manifest says about a blob or another manifest.
/// https://github.com/opencontainers/image-spec/blob/main/descriptor.md
public struct Descriptor: Sendable, Equatable {
    public var mediaType: String
    public var digest: ImageDigest
    public var size: Int
    public var annotations: [String: String]
    /// `os/architecture[/variant]` of an index entry.
    public var platform: String?

    public init(mediaType: String, digest: ImageDigest, size: Int, annotations: [String: String] = [:], platform: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    init(json: JSONValue, at path: String) throws(ManifestDecodingError) {
        guard let digestText = json["digest"]?.stringValue, let digest = ImageDigest(digestText) else {
            throw ManifestDecodingError("\(path).digest is missing or not a sha256 digest")
        }
        guard let size = json["size"]?.intValue, size >= 0 else { throw ManifestDecodingError("\(path).size is missing or negative") }
        var annotations: [String: String] = [:]
        for (key, value) in json["annotations"]?.objectValue ?? [:] {
            if let text = value.stringValue { annotations[key] = text }
        }
        var platform: String?
        if let os = json["platform"]?["os"]?.stringValue, let architecture = json["platform"]?["architecture"]?.stringValue {
            platform = os + "/" + architecture + (json["platform"]?["variant"]?.stringValue.map { "/" + $0 } ?? "")
        }
        self.init(mediaType: json["mediaType"]?.stringValue ?? "", digest: digest, size: size, annotations: annotations, platform: platform)
    }

    var json: JSONValue {
        var object: JSONValue = ["mediaType": .string(mediaType), "digest": .string(digest.rawValue), "size": .int(size)]
        if !annotations.isEmpty {
            object = object.setting("annotations", JSONValue.strings(annotations))
        }
        if let platform {
            let parts = platform.split(separator: "/").map(String.init)
            var value: JSONValue = ["os": .string(parts[0]), "architecture": .string(parts.count > 1 ? parts[1] : "")]
            if parts.count > 2 { value = value.setting("variant", .string(parts[2])) }
            object = object.setting("platform", value)
        }
        return object
    }
}

/// An image manifest or an index (multi-arch list), as fetched: its bytes, their digest and the
/// parts the client uses.
public struct Manifest: Sendable, Equatable {
    public var mediaType: String
    public var digest: ImageDigest
    public var bytes: [UInt8]
    /// An image manifest's config; nil for an index.
    public var config: Descriptor?
    public var layers: [Descriptor]
    /// An index's entries (one per platform); empty for an image manifest.
    public var manifests: [Descriptor]

    public var isIndex: Bool { MediaType.isIndex(mediaType) }

    /// Parses `bytes` served with `contentType` (the body's own `mediaType` wins when present).
    public init(bytes: [UInt8], contentType: String?) throws(ManifestDecodingError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: bytes) } catch { throw ManifestDecodingError("the manifest is not JSON") }
        guard json.objectValue != nil else { throw ManifestDecodingError("the manifest is not a JSON object") }
        let type = json["mediaType"]?.stringValue ?? contentType.map { String($0.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]).trimmingSpaces } ?? ""
        guard MediaType.manifests.contains(type) else {
            throw ManifestDecodingError("media type \(type.isEmpty ? "(none)" : type) is none of \(MediaType.manifests.joined(separator: ", "))")
        }
        mediaType = type
        digest = ImageDigest(of: bytes)
        self.bytes = bytes
        if MediaType.isIndex(type) {
            guard let entries = json["manifests"]?.arrayValue else { throw ManifestDecodingError("the index has no manifests list") }
            var manifests: [Descriptor] = []
            for (index, entry) in entries.enumerated() { manifests.append(try Descriptor(json: entry, at: "manifests[\(index)]")) }
            self.manifests = manifests
            config = nil
            layers = []
        } else {
            guard let config = json["config"] else { throw ManifestDecodingError("the image manifest has no config") }
            self.config = try Descriptor(json: config, at: "config")
            var layers: [Descriptor] = []
            for (index, entry) in (json["layers"]?.arrayValue ?? []).enumerated() { layers.append(try Descriptor(json: entry, at: "layers[\(index)]")) }
            self.layers = layers
            manifests = []
        }
    }

    /// The bytes of an OCI image manifest naming `config` and `layers`.
    public static func imageManifestBytes(config: Descriptor, layers: [Descriptor], annotations: [String: String] = [:]) -> [UInt8] {
        var object: JSONValue = [
            "schemaVersion": 2, "mediaType": .string(MediaType.ociManifest),
            "config": config.json, "layers": .array(layers.map(\.json)),
        ]
        if !annotations.isEmpty {
            object = object.setting("annotations", JSONValue.strings(annotations))
        }
        return object.jsonBytes()
    }

    /// The bytes of an OCI index of `manifests` (each with its platform).
    public static func indexBytes(manifests: [Descriptor]) -> [UInt8] {
        JSONValue.object(["schemaVersion": 2, "mediaType": .string(MediaType.ociIndex), "manifests": .array(manifests.map(\.json))]).jsonBytes()
    }
}

public struct ManifestDecodingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// An object of string values, keys sorted so the bytes (and so the digest) are stable.
    static func strings(_ values: [String: String]) -> JSONValue {
        values.sorted { $0.key < $1.key }.reduce(JSONValue.emptyObject) { $0.setting($1.key, .string($1.value)) }
    }

    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
