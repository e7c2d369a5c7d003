import Foundation
import Synchronization

/// A bearer token read from a file that may be rewritten while we run: projected service
/// account tokens are rotated by the kubelet (about hourly), and client-go re-reads them.
/// See https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
///
/// The file is read again when its modification time or size changes, when `refreshInterval`
/// has passed since the last read, or after `invalidate()` (a 401).
public final class TokenFile: Sendable {
    public let path: String
    public let refreshInterval: Duration

    private struct Cached {
        var token: String
        var modified: Date?
        var size: Int?
        var readAt: ContinuousClock.Instant
    }

    private let cached = Mutex<Cached?>(nil)

    public init(path: String, refreshInterval: Duration = .seconds(60)) {
        self.path = path
        self.refreshInterval = refreshInterval
    }

    /// The current token. Throws when the file cannot be read or is empty.
    public func token() throws(KubeError) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue
        let now = ContinuousClock.now
        if let current = cached.withLock({ $0 }), current.modified == modified, current.size == size,
           now - current.readAt < refreshInterval {
            return current.token
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .configuration(.init("cannot read the bearer token file (\(error.localizedDescription)); check that it exists and is readable", file: path))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw .configuration(.init("the bearer token file is empty", file: path))
        }
        cached.withLock { $0 = Cached(token: token, modified: modified, size: size, readAt: now) }
        return token
    }

    /// Forgets the cached token so that the next request reads the file again.
    public func invalidate() {
        cached.withLock { $0 = nil }
    }
}
