/// Why a Prometheus server process could not be configured, started or queried; the text says
/// what went wrong and, where there is one, what to do about it.
public struct PrometheusServerError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
