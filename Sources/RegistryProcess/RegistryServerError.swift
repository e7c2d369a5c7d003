/// Why a registry process could not be started or used.
public struct RegistryServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
