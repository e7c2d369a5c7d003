/// Why an image could not be looked up, in words that name the image and what the registry
/// answered, and say what to do. Credentials and tokens never appear in a message.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidReference(reference: String, reason: String)
    /// 404, or a 401/403 whose body says the name is unknown.
    case notFound(image: String, registry: String, answer: String)
    case unauthorized(image: String, registry: String, answer: String, hadCredentials: Bool)
    case forbidden(image: String, registry: String, answer: String)
    case rateLimited(image: String, registry: String, retryAfterSeconds: Int?)
    case serverError(image: String, registry: String, status: Int, answer: String)
    /// No answer at all: DNS, connection, TLS, timeout.
    case unreachable(registry: String, reason: String)
    case invalidResponse(image: String, registry: String, reason: String)
    case invalidCredentials(reason: String)

    /// Whether asking again later may succeed: the registry was not reached, was overloaded or failed.
    /// A clear "no" (404, 401, 403, a bad answer) is final.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .rateLimited, .serverError: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidReference(let reference, let reason):
            return "\(reference) is not an image reference: \(reason)"
        case .notFound(let image, let registry, let answer):
            return "\(image) is not in the registry \(registry) (it answered: \(answer)); push it first or fix the tag"
        case .unauthorized(let image, let registry, let answer, let hadCredentials):
            let advice = hadCredentials
                ? "the credentials of imagePolicy.registry.pullSecret were refused; renew them"
                : "set imagePolicy.registry.pullSecret to a kubernetes.io/dockerconfigjson Secret with credentials for \(registry)"
            return "\(registry) refused to show \(image) without valid credentials (it answered: \(answer)); \(advice)"
        case .forbidden(let image, let registry, let answer):
            return "\(registry) does not allow these credentials to pull \(image) (it answered: \(answer)); grant them pull access"
        case .rateLimited(let image, let registry, let retryAfter):
            return "\(registry) is rate limiting requests for \(image)" + (retryAfter.map { "; it asks to retry after \($0) s" } ?? "; retrying later")
        case .serverError(let image, let registry, let status, let answer):
            return "\(registry) failed to answer for \(image) (HTTP \(status)\(answer.isEmpty ? "" : ": " + answer)); retrying later"
        case .unreachable(let registry, let reason):
            return "the registry \(registry) cannot be reached (\(reason)); check its address, the network and imagePolicy.registry.caBundle"
        case .invalidResponse(let image, let registry, let reason):
            return "\(registry) answered for \(image) with something that is not a valid manifest: \(reason)"
        case .invalidCredentials(let reason):
            return "the pull secret cannot be used: \(reason)"
        }
    }
}
