/// One change seen by a watch.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks
public enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server has sent everything up to `resourceVersion`; resume a watch from there.
    case bookmark(WatchBookmark)
    /// The server ended the watch with this Status. A 410 (`Expired`/`Gone`) is not delivered
    /// as this case by `KubeClient.watch`: it is thrown as `KubeError` (`isGone`) so that the
    /// caller re-lists.
    case error(Status)

    /// The object of an ADDED, MODIFIED or DELETED event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark, .error: return nil
        }
    }

    /// The wire name: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`.
    public var type: String {
        switch self {
        case .added: return "ADDED"
        case .modified: return "MODIFIED"
        case .deleted: return "DELETED"
        case .bookmark: return "BOOKMARK"
        case .error: return "ERROR"
        }
    }
}

/// The object of a BOOKMARK event: only its resourceVersion (and annotations such as
/// `k8s.io/initial-events-end`) are meaningful.
public struct WatchBookmark: Codable, Sendable, Equatable {
    public var resourceVersion: String
    public var annotations: [String: String]

    public init(resourceVersion: String, annotations: [String: String] = [:]) {
        self.resourceVersion = resourceVersion
        self.annotations = annotations
    }
}

extension WatchEvent: Decodable {
    private enum CodingKeys: String, CodingKey { case type, object }

    private struct BookmarkObject: Decodable {
        struct Metadata: Decodable {
            var resourceVersion: String?
            var annotations: [String: String]?
        }
        var metadata: Metadata?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            let object = try container.decode(BookmarkObject.self, forKey: .object)
            self = .bookmark(WatchBookmark(resourceVersion: object.metadata?.resourceVersion ?? "",
                                           annotations: object.metadata?.annotations ?? [:]))
        case "ERROR":
            self = .error(try container.decode(Status.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
