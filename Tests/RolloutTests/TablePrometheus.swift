import Rollout
import Synchronization

/// A `PrometheusQuerying` that answers from a function of the query, and remembers the queries
/// it was sent (rendered, as a real server would receive them).
final class TablePrometheus: PrometheusQuerying {
    typealias Answer = @Sendable (_ query: String) -> Result<PrometheusResult, PrometheusError>
    private let answer: Mutex<Answer>
    private let sent = Mutex<[String]>([])

    init(_ answer: @escaping Answer = { _ in .success(.vector([])) }) {
        self.answer = Mutex(answer)
    }

    func setAnswer(_ answer: @escaping Answer) { self.answer.withLock { $0 = answer } }
    var queries: [String] { sent.withLock { $0 } }

    func query(_ promql: String, address: String, timeout: Duration) async throws(PrometheusError) -> PrometheusResult {
        sent.withLock { $0.append(promql) }
        let answer = self.answer.withLock { $0 }
        return try answer(promql).get()
    }
}
