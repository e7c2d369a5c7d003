import CYAML

/// How a scalar was written. Only plain scalars go through schema resolution; every other
/// style is a string unless an explicit tag says otherwise.
enum ScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One libyaml parser event, copied out of C memory so it outlives `yaml_event_delete`.
enum Event {
    case streamStart
    case streamEnd
    case documentStart
    case documentEnd
    case alias(anchor: String)
    case scalar(value: String, style: ScalarStyle, tag: String?, anchor: String?)
    case sequenceStart(tag: String?, anchor: String?)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?)
    case mappingEnd
}

/// Pulls events from libyaml's pull parser (`yaml_parser_parse`) over a UTF-8 buffer.
///
/// The buffer must stay valid for the reader's lifetime: callers create the reader inside
/// `withUnsafeBufferPointer`. libyaml's reader validates UTF-8 and rejects control characters,
/// so invalid input becomes a `YAMLError`, never undefined behaviour.
/// Event model: https://pyyaml.org/wiki/LibYAML ("Parser API Synopsis").
final class EventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeBufferPointer<UInt8>
    /// libyaml wants a non-null pointer even for empty input.
    private let placeholder = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        placeholder.initialize(to: 0)
        let base = input.baseAddress ?? UnsafePointer(placeholder)
        yaml_parser_set_input_string(parser, base, input.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        placeholder.deallocate()
    }

    /// The next event and where it starts in the text.
    func next() throws(YAMLError) -> (Event, Mark) {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) != 0 else { throw currentError() }
        defer { yaml_event_delete(&raw) }
        let mark = Mark(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1)
        return (Self.convert(&raw), mark)
    }

    private static func convert(_ raw: inout yaml_event_t) -> Event {
        switch raw.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: string(slipway_yaml_event_anchor(&raw)) ?? "")
        case YAML_SCALAR_EVENT:
            let value: String
            if let bytes = slipway_yaml_scalar_value(&raw) {
                value = String(
                    decoding: UnsafeBufferPointer(start: bytes, count: slipway_yaml_scalar_length(&raw)),
                    as: UTF8.self)
            } else {
                value = ""
            }
            return .scalar(
                value: value, style: style(slipway_yaml_scalar_style(&raw)),
                tag: string(slipway_yaml_event_tag(&raw)), anchor: string(slipway_yaml_event_anchor(&raw)))
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(tag: string(slipway_yaml_event_tag(&raw)), anchor: string(slipway_yaml_event_anchor(&raw)))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(tag: string(slipway_yaml_event_tag(&raw)), anchor: string(slipway_yaml_event_anchor(&raw)))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .streamEnd  // YAML_NO_EVENT: libyaml only returns it after the stream ended.
        }
    }

    private static func string(_ bytes: UnsafePointer<yaml_char_t>?) -> String? {
        guard let bytes else { return nil }
        return String(cString: bytes)
    }

    private static func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// libyaml's description of why parsing stopped, with its position.
    private func currentError() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError("out of memory while reading the YAML text", at: .start)
        case YAML_READER_ERROR:
            // The reader reports a byte offset rather than a mark: count lines up to it.
            let offset = min(Int(state.problem_offset), input.count)
            var detail = problem
            if state.problem_value >= 0 {
                let hex = String(state.problem_value, radix: 16, uppercase: true)
                detail += " (#x\(hex) at byte \(offset))"
            }
            return YAMLError("\(detail); the text must be valid UTF-8 without control characters",
                at: Self.mark(ofByte: offset, in: input))
        default:
            let position = Mark(line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1)
            var message = problem
            if Self.byte(at: position, in: input) == UInt8(ascii: "\t") {
                message += "; YAML is indented with spaces, a tab cannot indent or start a token"
            }
            if let context = state.context.map({ String(cString: $0) }) {
                message += " (\(context) at line \(state.context_mark.line + 1), column \(state.context_mark.column + 1))"
            }
            return YAMLError(message, at: position)
        }
    }

    /// The first byte of the character at a line and column, if there is one.
    static func byte(at mark: Mark, in bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var line = 1
        var column = 1
        for byte in bytes {
            if line == mark.line && column == mark.column && byte & 0xC0 != 0x80 { return byte }
            if line > mark.line { return nil }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return nil
    }

    /// The line and column (in characters) of a byte offset.
    static func mark(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Mark {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}
