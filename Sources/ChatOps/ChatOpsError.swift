/// What went wrong in ChatOps, worded for the operator who has to fix it. Never carries a
/// token or secret.
public enum ChatOpsError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The configuration file or environment is wrong.
    case configuration(String)
    /// GitHub could not tell the newest commit of a branch.
    case commitResolution(String)
    /// The audit log could not be written or read.
    case audit(String)

    public var description: String {
        switch self {
        case .configuration(let message): "ChatOps configuration: \(message)"
        case .commitResolution(let message): "resolving the newest commit: \(message)"
        case .audit(let message): "audit log: \(message)"
        }
    }
}
