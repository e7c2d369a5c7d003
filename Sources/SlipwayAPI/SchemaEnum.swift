/// A string enum of the schema. Decoding an unknown value fails with the message the API
/// server gives for an `enum` violation (`Unsupported value: "x": supported values: "a", "b"`),
/// so that a request written while the schema was not enforced is rejected with the choices.
public protocol SchemaEnum: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension SchemaEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.unsupported(raw))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The choices, quoted, as messages list them.
    public static var supportedValues: String {
        allCases.map { quoted($0.rawValue) }.joined(separator: ", ")
    }

    static func unsupported(_ raw: String) -> String {
        "Unsupported value: \(quoted(raw)): supported values: \(supportedValues)"
    }
}

extension Phase: SchemaEnum {}
extension RequestAction: SchemaEnum {}
extension GateFailurePolicy: SchemaEnum {}
extension StrategyName: SchemaEnum {}
extension Slot: SchemaEnum {}
extension TargetHealth: SchemaEnum {}
extension HTTPGateMethod: SchemaEnum {}
extension NoDataPolicy: SchemaEnum {}
extension MeasurementOutcome: SchemaEnum {}
extension SampleRule: SchemaEnum {}
extension GatePhase: SchemaEnum {}
extension Weekday: SchemaEnum {}
extension OutsideWindowPolicy: SchemaEnum {}
