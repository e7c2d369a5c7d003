import Kube
import Synchronization

/// The one Lease that leader election competes for. Every write is a compare-and-swap on
/// `metadata.resourceVersion`, so of two candidates writing after reading the same version only
/// one succeeds; the other gets `LeaseLockError.conflict`.
public protocol LeaseLock: Sendable {
    /// The Lease, or nil when it does not exist yet.
    func get() async throws -> Lease?
    /// Creates the Lease with `spec`; `.conflict` when someone created it first.
    func create(_ spec: LeaseSpec) async throws -> Lease
    /// Replaces the Lease; `.conflict` when `lease.metadata.resourceVersion` is not the current one.
    func update(_ lease: Lease) async throws -> Lease
}

public enum LeaseLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Someone else wrote the Lease first: read it again.
    case conflict(lease: String)

    public var description: String {
        switch self {
        case .conflict(let lease): return "Lease \(lease) was changed by another candidate; read it again before writing"
        }
    }
}

/// A `LeaseLock` on a coordination.k8s.io/v1 Lease in a cluster.
/// See https://kubernetes.io/docs/concepts/architecture/leases/
public struct KubeLeaseLock: LeaseLock {
    public let client: KubeClient
    public let name: String
    public let namespace: String

    public init(client: KubeClient, name: String, namespace: String) {
        self.client = client
        self.name = name
        self.namespace = namespace
    }

    public func get() async throws -> Lease? {
        do {
            return try await client.get(Lease.self, name: name, namespace: namespace)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    public func create(_ spec: LeaseSpec) async throws -> Lease {
        do {
            return try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec), namespace: namespace)
        } catch {
            if error.isAlreadyExists || error.isConflict { throw LeaseLockError.conflict(lease: "\(namespace)/\(name)") }
            throw error
        }
    }

    public func update(_ lease: Lease) async throws -> Lease {
        do {
            return try await client.update(lease, namespace: namespace)
        } catch {
            if error.isConflict { throw LeaseLockError.conflict(lease: "\(namespace)/\(name)") }
            throw error
        }
    }
}

/// A `LeaseLock` held in memory with the API server's resourceVersion rules: each write
/// bumps the version, and a write carrying a stale version fails with `.conflict`. Share one
/// between several electors to test them against each other.
public final class InMemoryLeaseLock: LeaseLock {
    private struct State {
        var lease: Lease?
        var version = 0
        var writes = 0
    }

    private let state = Mutex(State())
    public let name: String
    public let namespace: String

    public init(name: String = "lock", namespace: String = "default") {
        self.name = name
        self.namespace = namespace
    }

    public func get() async throws -> Lease? {
        state.withLock { $0.lease }
    }

    public func create(_ spec: LeaseSpec) async throws -> Lease {
        try state.withLock { state in
            guard state.lease == nil else { throw LeaseLockError.conflict(lease: "\(namespace)/\(name)") }
            state.version += 1
            state.writes += 1
            let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: String(state.version)), spec: spec)
            state.lease = lease
            return lease
        }
    }

    public func update(_ lease: Lease) async throws -> Lease {
        try state.withLock { state in
            guard let current = state.lease, current.metadata.resourceVersion == lease.metadata.resourceVersion else {
                throw LeaseLockError.conflict(lease: "\(namespace)/\(name)")
            }
            state.version += 1
            state.writes += 1
            var stored = lease
            stored.metadata.resourceVersion = String(state.version)
            state.lease = stored
            return stored
        }
    }

    /// The Lease as stored now.
    public var current: Lease? {
        state.withLock { $0.lease }
    }

    /// Successful writes so far.
    public var writeCount: Int {
        state.withLock { $0.writes }
    }
}
