#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a new detached thread: the test server blocks in socket calls, which must
/// not happen on the Swift concurrency pool.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
        return nil
    }, context)
    precondition(created == 0, "could not start a test server thread")
    pthread_detach(thread)
}
