import ClusterCore
import Synchronization

/// The strategies the store serves, kept beside it so that the server can run a strategy's
/// defaulting on its own to tell which fields of a body it does not know (`fieldValidation`).
final class StrategyBook: Sendable {
    private let strategies = Mutex<[String: ResourceStrategy]>([:])
    /// CRD name → group and plural it serves, so a deleted CRD can be unregistered.
    private let servedCRDs = Mutex<[String: (group: String, plural: String)]>([:])

    private static func key(_ type: ResourceType) -> String { "\(type.group)/\(type.version)/\(type.plural)" }

    func register(_ strategy: ResourceStrategy, in store: ObjectStore) {
        store.register(strategy)
        strategies.withLock { $0[Self.key(strategy.type)] = strategy }
    }

    func strategy(for type: ResourceType) -> ResourceStrategy? {
        strategies.withLock { $0[Self.key(type)] }
    }

    func forget(_ type: ResourceType) {
        _ = strategies.withLock { $0.removeValue(forKey: Self.key(type)) }
    }

    func recordCRD(name: String, group: String, plural: String) {
        servedCRDs.withLock { $0[name] = (group, plural) }
    }

    /// Forgets a CRD and its strategies; returns the group and plural it served.
    func forgetCRD(name: String) -> (group: String, plural: String)? {
        guard let served = servedCRDs.withLock({ $0.removeValue(forKey: name) }) else { return nil }
        strategies.withLock { table in
            table = table.filter { !($0.value.type.group == served.group && $0.value.type.plural == served.plural) }
        }
        return served
    }
}
