import JSON

/// YAML ⇄ `JSONValue`, over libyaml, resolving scalars with the YAML 1.2 core schema as
/// Kubernetes tooling does (`yes`/`on` stay strings; `0x1A`, `1e3`, `.inf` are numbers).
///
/// Reading walks libyaml's event API; anchors, aliases and merge keys (`<<`) are expanded.
/// Duplicate mapping keys are accepted and the last value wins, as `kubectl apply` reads them.
/// Writing produces block-style YAML like `kubectl get -o yaml`, and `parse(emit(v)) == v` holds
/// for every value (NaN aside, which is never equal to itself) nested no deeper than
/// `Limits.maximumDepth`. Strings that an older YAML 1.1 reader would take for something else
/// (`"yes"`, `"0755"`, `"2024-01-31"`) are quoted too, so every Kubernetes tool reads the output
/// the same way.
/// Spec: https://yaml.org/spec/1.2.2/ — libyaml: https://pyyaml.org/wiki/LibYAML
public enum YAML {
    /// Bounds on what a document may expand to, so hostile input cannot exhaust memory.
    public struct Limits: Sendable, Equatable {
        /// Most nodes that aliases may expand to in one document ("billion laughs" defence).
        /// Nodes written out in the text do not count: their number is bounded by its size.
        public var maximumAliasExpansion: Int
        /// Deepest nesting of sequences and mappings.
        public var maximumDepth: Int

        public init(maximumAliasExpansion: Int = 1_000_000, maximumDepth: Int = 512) {
            self.maximumAliasExpansion = maximumAliasExpansion
            self.maximumDepth = maximumDepth
        }

        public static let standard = Limits()
    }

    /// Parses a single-document stream; an empty stream is `null`. More than one document is an error.
    public static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses a multi-document stream (`---` separated); empty documents are skipped.
    public static func parseAll(_ text: String) throws(YAMLError) -> [JSONValue] {
        try parseAll(bytes: Array(text.utf8))
    }

    /// Parses a single document from UTF-8 bytes (a file or request body as read). Bytes that
    /// are not valid UTF-8 are an error.
    public static func parse(bytes: some Collection<UInt8>, limits: Limits = .standard) throws(YAMLError) -> JSONValue {
        var first: Composer.Document?
        try withComposer(bytes, limits: limits) { (composer: inout Composer) throws(YAMLError) in
            while let document = try composer.nextDocument() {
                if document.isEmpty { continue }
                if first != nil {
                    throw YAMLError(
                        "expected a single YAML document but found another one; split the stream or read it as several documents",
                        at: document.start)
                }
                first = document
            }
        }
        return first?.value ?? .null
    }

    /// Parses every document of a stream from UTF-8 bytes; empty documents are skipped.
    public static func parseAll(bytes: some Collection<UInt8>, limits: Limits = .standard) throws(YAMLError) -> [JSONValue] {
        var documents: [JSONValue] = []
        try withComposer(bytes, limits: limits) { (composer: inout Composer) throws(YAMLError) in
            while let document = try composer.nextDocument() {
                if !document.isEmpty { documents.append(document.value) }
            }
        }
        return documents
    }

    /// Block-style YAML, as `kubectl get -o yaml` prints it.
    public static func emit(_ value: JSONValue) -> String {
        String(decoding: emitBytes(value), as: UTF8.self)
    }

    /// `emit` as UTF-8 bytes, ready for a file or an HTTP body.
    public static func emitBytes(_ value: JSONValue) -> [UInt8] {
        var emitter = Emitter()
        emitter.writeDocument(value)
        return emitter.output
    }

    /// Several documents separated by `---`.
    public static func emitAll(_ documents: [JSONValue]) -> String {
        var emitter = Emitter()
        for (index, document) in documents.enumerated() {
            if index > 0 { emitter.appendDocumentSeparator() }
            emitter.writeDocument(document)
        }
        return String(decoding: emitter.output, as: UTF8.self)
    }

    private static func withComposer(
        _ bytes: some Collection<UInt8>, limits: Limits,
        _ body: (inout Composer) throws(YAMLError) -> Void
    ) throws(YAMLError) {
        var contiguous = Array(bytes)
        // libyaml skips a byte order mark but counts it as a column, which would shift the
        // first line's indentation; drop it here instead.
        if contiguous.starts(with: [0xEF, 0xBB, 0xBF]) { contiguous.removeFirst(3) }
        let outcome: Result<Void, YAMLError> = contiguous.withUnsafeBufferPointer { buffer in
            var composer = Composer(reader: EventReader(input: buffer), limits: limits)
            do throws(YAMLError) {
                try body(&composer)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try outcome.get()
    }
}
