import Foundation
import Kube
import Rollout
import SlipwayAPI
import Testing

@Suite("Rollout Prometheus client")
struct RolloutPrometheusTests {
    static let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"web-canary","code":"500"},"value":[1764064800.123,"0.042"]},{"metric":{"deployment":"web-canary","code":"503"},"value":[1764064800.123,"NaN"]}]}}"#

    @Test("an instant query is POSTed form-encoded to /api/v1/query and its vector comes back with labels and values")
    func vectorQuery() async throws {
        let server = try FakePrometheusServer { _ in (200, Self.vector) }
        defer { server.stop() }
        let client = PrometheusClient()
        let query = #"sum(rate(http_requests_total{deployment="web-canary",code=~"5.."}[1m])) / 2 + 1"#
        let result = try await client.query(query, address: server.address + "/", timeout: .seconds(5))

        guard case .vector(let samples) = result else { Issue.record("expected a vector, got \(result)"); return }
        #expect(samples.count == 2)
        #expect(samples[0].labels == ["deployment": "web-canary", "code": "500"])
        #expect(samples[0].value == 0.042)
        #expect(samples[1].value.isNaN)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/api/v1/query")
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.body.hasPrefix("query="))
        #expect(String(request.body.dropFirst(6)).removingPercentEncoding == query, "every reserved character survives the form encoding")
        #expect(!request.body.contains("+"), "a plus sign is encoded, not taken for a space")
    }

    @Test("a scalar result and an address with a path prefix")
    func scalarQuery() async throws {
        let server = try FakePrometheusServer { _ in (200, #"{"status":"success","data":{"resultType":"scalar","result":[1764064800,"+Inf"]}}"#) }
        defer { server.stop() }
        let result = try await PrometheusClient().query("1/0", address: server.address + "/prometheus", timeout: .seconds(5))
        #expect(result == .scalar(.infinity))
        #expect(server.requests.first?.path == "/prometheus/api/v1/query")
    }

    @Test("the API's error envelope becomes an error naming the error type and Prometheus's message")
    func errorEnvelope() async throws {
        let server = try FakePrometheusServer { _ in
            (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected end of input"}"#)
        }
        defer { server.stop() }
        await #expect(throws: PrometheusError.query(errorType: "bad_data", message: "invalid parameter \"query\": 1:5: parse error: unexpected end of input")) {
            try await PrometheusClient().query("sum(", address: server.address, timeout: .seconds(5))
        }
    }

    @Test("an answer that is not the query API's says what to check", arguments: [
        (404, "404 page not found", "HTTP 404"),
        (200, "<html>login</html>", "not JSON"),
        (200, #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#, "range vector"),
        (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"fast"]}]}}"#, "not a number"),
    ])
    func notAQueryResult(_ status: Int, _ body: String, _ expected: String) async throws {
        let server = try FakePrometheusServer { _ in (status, body) }
        defer { server.stop() }
        do {
            _ = try await PrometheusClient().query("up", address: server.address, timeout: .seconds(5))
            Issue.record("expected an error for \(body)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("an unreachable server is an error that names the address without its credentials")
    func unreachable() async throws {
        let server = try FakePrometheusServer { _ in (200, "{}") }
        let port = server.port
        server.stop()
        do {
            _ = try await PrometheusClient().query("up", address: "http://admin:s3cret@127.0.0.1:\(port)", timeout: .seconds(2))
            Issue.record("expected the query to fail")
        } catch {
            guard case .unreachable(let address, _) = error else { Issue.record("expected unreachable, got \(error)"); return }
            #expect(address == "http://127.0.0.1:\(port)")
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test("the gate renders its query with target, namespace, canary and stable, and judges the samples by the condition and sample rule")
    func gateAgainstServer() async throws {
        let server = try FakePrometheusServer { request in
            let query = String(request.body.dropFirst(6)).removingPercentEncoding ?? ""
            if query.contains("nodata") { return (200, #"{"status":"success","data":{"resultType":"vector","result":[]}}"#) }
            return (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a"},"value":[1,"0.01"]},{"metric":{"pod":"b"},"value":[1,"0.09"]}]}}"#)
        }
        defer { server.stop() }
        let evaluator = PrometheusGateEvaluator(client: PrometheusClient(), timeout: .seconds(5))
        let target = CanaryWorld.target(router: .istio, steps: [.setWeight(10)])
        let canary = WorkloadState(name: "web-canary", image: nil, replicas: 1, generation: 1, observedGeneration: 1, statusReplicas: 1,
                                   updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, podLabels: [:])
        let context = GateContext(namespace: "shop", target: target, releaseWorkload: canary, stableName: "web-stable")
        func gate(_ query: String, _ condition: MetricCondition, noData: NoDataPolicy? = nil) -> Gate {
            Gate(name: "g", prometheus: PrometheusGate(address: server.address, query: query, condition: condition, noDataPolicy: noData))
        }

        let all = await evaluator.measure(gate(#"errors{t="{{target}}",ns="{{ namespace }}",c="{{canary}}",s="{{stable}}"}"#, MetricCondition(lessThan: 0.05)), context: context)
        #expect(all.outcome == .failure)
        #expect(all.value == "0.01, 0.09")
        #expect(all.error?.contains("< 0.05 for all of 2 series") == true)
        let sent = server.requests.first.map { String($0.body.dropFirst(6)).removingPercentEncoding ?? "" }
        #expect(sent == #"errors{t="web-production",ns="shop",c="web-canary",s="web-stable"}"#)

        let any = await evaluator.measure(gate("errors", MetricCondition(lessThan: 0.05, samples: .any)), context: context)
        #expect(any.outcome == .success)
        let range = await evaluator.measure(gate("errors", MetricCondition(inRange: ValueRange(min: 0, max: 0.1))), context: context)
        #expect(range.outcome == .success)

        let inconclusive = await evaluator.measure(gate("nodata", MetricCondition(lessThan: 0.05)), context: context)
        #expect(inconclusive.outcome == .inconclusive)
        #expect(inconclusive.value == "no data")
        let failing = await evaluator.measure(gate("nodata", MetricCondition(lessThan: 0.05), noData: .fail), context: context)
        #expect(failing.outcome == .failure)
        #expect(failing.error?.contains("noDataPolicy: fail") == true)
        let passing = await evaluator.measure(gate("nodata", MetricCondition(lessThan: 0.05), noData: .pass), context: context)
        #expect(passing.outcome == .success)
    }
}
