import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import NIOCore

/// The watch verb: a store watch turned into a streaming response.
extension ResourceHandler {
    func watch(_ type: ResourceType, namespace: String?, representation: MediaTypes.Representation, fieldSelector: String?) throws -> Response {
        let options = WatchOptions(
            labelSelector: query.nonEmpty("labelSelector"), fieldSelector: fieldSelector,
            resourceVersion: query.nonEmpty("resourceVersion"), allowWatchBookmarks: query.flag("allowWatchBookmarks"))
        let timeout = query.nonEmpty("timeoutSeconds").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            ?? Int.random(in: server.watchTimeout)
        let events: AsyncStream<WatchEvent>
        do {
            events = try store.watch(type, namespace: namespace, options: options)
        } catch {
            guard error.code == 410 else { throw error }
            // The API server reports an expired resourceVersion inside the stream.
            return WatchStream.expired(error)
        }
        var transform: (@Sendable (JSONValue) -> JSONValue)? = nil
        if representation == .table {
            let include = includeObject
            transform = { (object: JSONValue) -> JSONValue in
                let version: JSONValue = object[path: "metadata", "resourceVersion"] ?? .string("")
                let metadata: JSONValue = ["resourceVersion": version]
                return TableConverter.table(for: type, items: [object], listMetadata: metadata, includeObject: include, now: Timestamps.now())
            }
        }
        return WatchStream(events: events, request: request, timeout: .seconds(timeout), logger: server.logger, transform: transform).response()
    }
}
