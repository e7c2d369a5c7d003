import JSON

/// Builds `JSONValue` documents from libyaml events: resolves scalars, records anchors, expands
/// aliases and merge keys, and enforces the limits that keep hostile input from exhausting memory.
///
/// Collections under construction live in a stack of frames (no recursion, so deep input cannot
/// overflow the call stack); each frame is mutated in place so building is linear in the input.
struct Composer {
    private let reader: EventReader
    private let limits: YAML.Limits
    private var stack: [Frame] = []
    /// Anchored nodes of the current document, with how many nodes each one expands to.
    private var anchors: [String: (value: JSONValue, nodes: Int)] = [:]
    /// Nodes produced by alias expansion in the current document.
    private var aliasExpansion = 0
    private var root: Completed?
    private var streamEnded = false

    init(reader: EventReader, limits: YAML.Limits) {
        self.reader = reader
        self.limits = limits
    }

    /// One document of the stream.
    struct Document {
        var value: JSONValue
        /// Where the document starts: reported when a single document was expected.
        var start: Mark
        /// The document has no content at all (`---` followed by nothing, or only comments).
        var isEmpty: Bool
    }

    private struct Completed {
        var value: JSONValue
        var isEmptyScalar: Bool
    }

    private enum PendingKey {
        case key(String)
        case merge(Mark)
    }

    private struct Frame {
        enum Kind { case sequence, mapping }
        var kind: Kind
        var anchor: String?
        var start: Mark
        var items: [JSONValue] = []
        var members: OrderedDictionary<String, JSONValue> = [:]
        /// For a mapping: the key waiting for its value; `nil` while waiting for a key.
        var pendingKey: PendingKey?
        var nodes = 1
    }

    /// The next document, or `nil` at the end of the stream.
    mutating func nextDocument() throws(YAMLError) -> Document? {
        guard !streamEnded else { return nil }
        var documentStart = Mark.start
        while true {
            let (event, mark) = try reader.next()
            switch event {
            case .streamStart:
                continue
            case .streamEnd:
                streamEnded = true
                return nil
            case .documentStart:
                documentStart = mark
                anchors = [:]
                aliasExpansion = 0
                root = nil
                stack = []
            case .documentEnd:
                let done = root ?? Completed(value: .null, isEmptyScalar: true)
                root = nil
                anchors = [:]
                return Document(value: done.value, start: documentStart, isEmpty: done.isEmptyScalar)
            case .alias(let name):
                guard let anchored = anchors[name] else {
                    throw YAMLError(
                        "unknown alias '*\(name)': an alias must refer to an anchor ('&\(name)') defined earlier in the same document",
                        at: mark)
                }
                let (total, overflow) = aliasExpansion.addingReportingOverflow(anchored.nodes)
                guard !overflow, total <= limits.maximumAliasExpansion else {
                    throw YAMLError(
                        "aliases expand to more than \(limits.maximumAliasExpansion) nodes in this document, which is refused as a guard against alias bombs (\"billion laughs\"); write the repeated content out or nest fewer aliases",
                        at: mark)
                }
                aliasExpansion = total
                try deliver(anchored.value, nodes: anchored.nodes, isMergeKey: false, isEmptyScalar: false, at: mark)
            case .scalar(let text, let style, let tag, let anchor):
                let value = try Self.resolve(text, style: style, tag: tag, at: mark)
                if let anchor { anchors[anchor] = (value, 1) }
                let isMergeKey = style == .plain && text == "<<" && (tag == nil || tag == Tag.merge)
                let isEmptyScalar = style == .plain && text.isEmpty && tag == nil && anchor == nil
                try deliver(value, nodes: 1, isMergeKey: isMergeKey, isEmptyScalar: isEmptyScalar, at: mark)
            case .sequenceStart(_, let anchor):
                try push(Frame(kind: .sequence, anchor: anchor, start: mark))
            case .mappingStart(_, let anchor):
                try push(Frame(kind: .mapping, anchor: anchor, start: mark))
            case .sequenceEnd, .mappingEnd:
                guard let frame = stack.popLast() else { continue }
                let value: JSONValue = frame.kind == .sequence ? .array(frame.items) : .object(frame.members)
                if let anchor = frame.anchor { anchors[anchor] = (value, frame.nodes) }
                try deliver(value, nodes: frame.nodes, isMergeKey: false, isEmptyScalar: false, at: frame.start)
            }
        }
    }

    private mutating func push(_ frame: Frame) throws(YAMLError) {
        guard stack.count < limits.maximumDepth else {
            throw YAMLError("collections nested deeper than \(limits.maximumDepth) levels; flatten the document", at: frame.start)
        }
        if let top = stack.last, top.kind == .mapping, top.pendingKey == nil {
            throw YAMLError(
                "a \(frame.kind == .sequence ? "sequence" : "mapping") cannot be a mapping key: JSON object keys are strings",
                at: frame.start)
        }
        stack.append(frame)
    }

    /// Hands a finished node to the collection being built, or makes it the document's root.
    private mutating func deliver(
        _ value: JSONValue, nodes: Int, isMergeKey: Bool, isEmptyScalar: Bool, at mark: Mark
    ) throws(YAMLError) {
        let top = stack.count - 1
        guard top >= 0 else {
            root = Completed(value: value, isEmptyScalar: isEmptyScalar)
            return
        }
        stack[top].nodes += nodes
        switch stack[top].kind {
        case .sequence:
            stack[top].items.append(value)
        case .mapping:
            switch stack[top].pendingKey {
            case nil:
                if isMergeKey {
                    stack[top].pendingKey = .merge(mark)
                } else if let key = Self.keyString(value) {
                    stack[top].pendingKey = .key(key)
                } else {
                    throw YAMLError(
                        "a \(value.typeName == "array" ? "sequence" : "mapping") cannot be a mapping key: JSON object keys are strings",
                        at: mark)
                }
            case .key(let key):
                // Duplicate keys: the last value wins and the key keeps its first position, as
                // `kubectl apply` (sigs.k8s.io/yaml in non-strict mode) reads them.
                stack[top].members[key] = value
                stack[top].pendingKey = nil
            case .merge(let keyMark):
                try Self.merge(value, into: &stack[top].members, at: keyMark)
                stack[top].pendingKey = nil
            }
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: keys of the merged mappings that the mapping does not set
    /// itself. Keys written explicitly win wherever they appear; among several merged mappings
    /// the first one wins (https://yaml.org/type/merge.html, as go-yaml v3 implements it).
    /// A key written explicitly *after* the merge overwrites the merged value when it arrives.
    private static func merge(
        _ source: JSONValue, into members: inout OrderedDictionary<String, JSONValue>, at mark: Mark
    ) throws(YAMLError) {
        let mappings: [OrderedDictionary<String, JSONValue>]
        switch source {
        case .object(let object):
            mappings = [object]
        case .array(let elements):
            var collected: [OrderedDictionary<String, JSONValue>] = []
            for element in elements {
                guard case .object(let object) = element else {
                    throw YAMLError("a merge key '<<' takes a mapping or a sequence of mappings, found a sequence holding a \(element.typeName)", at: mark)
                }
                collected.append(object)
            }
            mappings = collected
        default:
            throw YAMLError("a merge key '<<' takes a mapping or a sequence of mappings, found a \(source.typeName)", at: mark)
        }
        for mapping in mappings {
            for (key, value) in mapping where members[key] == nil {
                members[key] = value
            }
        }
    }

    /// The string a scalar key becomes in a JSON object: `1: a` has the key "1", `true: b` "true".
    static func keyString(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Emitter.format(d)
        case .array, .object: return nil
        }
    }

    enum Tag {
        static let prefix = "tag:yaml.org,2002:"
        static let string = prefix + "str"
        static let int = prefix + "int"
        static let float = prefix + "float"
        static let bool = prefix + "bool"
        static let null = prefix + "null"
        static let merge = prefix + "merge"
    }

    /// The JSON value of a scalar. Explicit tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`
    /// are honoured (a value that does not fit its tag is an error); other tags (`!!binary`,
    /// `!!timestamp`, `!custom`, the non-specific `!`) keep the text as a string. Without a tag,
    /// only plain scalars are resolved; quoted and block scalars are strings.
    static func resolve(_ text: String, style: ScalarStyle, tag: String?, at mark: Mark) throws(YAMLError) -> JSONValue {
        guard let tag else {
            return style == .plain ? CoreSchema.resolvePlain(text) : .string(text)
        }
        let resolved = CoreSchema.resolvePlain(text)
        func mismatch(_ name: String) -> YAMLError {
            YAMLError("cannot read \"\(text)\" as \(name): the value does not match its tag", at: mark)
        }
        switch tag {
        case Tag.string:
            return .string(text)
        case Tag.int:
            guard case .int = resolved else { throw mismatch("!!int") }
            return resolved
        case Tag.float:
            switch resolved {
            case .int(let i): return .double(Double(i))
            case .double: return resolved
            default: throw mismatch("!!float")
            }
        case Tag.bool:
            guard case .bool = resolved else { throw mismatch("!!bool") }
            return resolved
        case Tag.null:
            guard case .null = resolved else { throw mismatch("!!null") }
            return resolved
        default:
            return .string(text)
        }
    }
}
