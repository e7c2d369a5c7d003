/// Runs `body` for each index in `range` with at most `width` calls in flight, as a client
/// pushing writes through its connection pool would. The first error cancels the rest.
func forEachConcurrently(_ range: Range<Int>, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = range.lowerBound
        while next < range.upperBound, next - range.lowerBound < max(width, 1) {
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
        while try await group.next() != nil {
            if next < range.upperBound {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
        }
    }
}
