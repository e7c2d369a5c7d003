import Foundation
import Kube
import Synchronization

/// Every change of the first container's image of each Deployment in the fixture's namespace,
/// as a watch saw it: shows that an image was set (or restored) once, not twice.
final class ImageHistory: Sendable {
    struct Change: Sendable, Equatable, CustomStringConvertible {
        var deployment: String
        var image: String

        var description: String { "\(deployment)=\(image)" }
    }

    private let recorded = Mutex<[Change]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    var changes: [Change] { recorded.withLock { $0 } }

    static func watch(_ cluster: EndToEndCluster) async throws -> ImageHistory {
        let history = ImageHistory()
        let list = try await cluster.client.list(Deployment.self, namespace: Fixture.namespace)
        var initial: [String: String] = [:]
        for deployment in list.items {
            if let name = deployment.metadata.name { initial[name] = deployment.spec?.template.spec?.containers.first?.image ?? "" }
        }
        let options = WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 600)
        let stream = cluster.client.watch(Deployment.resource, as: Deployment.self, namespace: Fixture.namespace, options: options)
        let task = Task {
            var last = initial
            do {
                for try await event in stream {
                    guard let object = event.object, let name = object.metadata.name else { continue }
                    let image = object.spec?.template.spec?.containers.first?.image ?? ""
                    if last[name] != image {
                        history.recorded.withLock { $0.append(Change(deployment: name, image: image)) }
                        last[name] = image
                    }
                }
            } catch {
                return
            }
        }
        history.task.withLock { $0 = task }
        return history
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
