import JSON

/// One fuzz target: a function over arbitrary bytes that must return (never crash, hang or leak)
/// for every input, and that checks a property of the code it drives where the code promises one.
struct FuzzTarget: Sendable {
    let name: String
    /// What the bytes are: shown by `SlipwayFuzz --list`.
    let input: String
    let run: @Sendable ([UInt8]) -> Void
}

enum FuzzTargets {
    static let all: [FuzzTarget] = formats + cluster + kube + chat + slipway + registry

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A property a target checks was false: report it as a crash, with the input, so that libFuzzer
/// saves the input and it can be replayed.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

/// Splits one input into two at the first NUL byte: the two documents of a patch target.
func splitAtNUL(_ bytes: [UInt8]) -> (first: ArraySlice<UInt8>, second: ArraySlice<UInt8>) {
    guard let index = bytes.firstIndex(of: 0) else { return (bytes[...], []) }
    return (bytes[..<index], bytes[(index + 1)...])
}

/// Equality of two JSON values as a reader sees them: numbers by value, whichever case holds them
/// (the serializer writes an integral double as an integer, 1.0 as `1`), NaN equal to itself.
func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x == y
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
    case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(sameValue)
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameValue(value, $0) } ?? false }
    default: return a == b
    }
}

func sameValue(_ a: JSONValue?, _ b: JSONValue) -> Bool { a.map { sameValue($0, b) } ?? false }
