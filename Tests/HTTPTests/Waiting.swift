import Testing

struct ConditionNotMet: Error, CustomStringConvertible {
    let description: String
}

/// Waits until `condition` holds, checking every few milliseconds, and fails the test if it
/// does not hold within `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)")
            throw ConditionNotMet(description: what)
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
