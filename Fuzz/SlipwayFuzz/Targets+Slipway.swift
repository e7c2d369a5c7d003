import JSON
import SlipwayAPI

extension FuzzTargets {
    /// What the controller reads from the API: DeploymentTargets and DeploymentRequests as any
    /// client wrote them (the schema may not have been enforced), and the gate queries it expands.
    static let slipway: [FuzzTarget] = [
        FuzzTarget(name: "deployment-target", input: "a DeploymentTarget as JSON") { bytes in
            guard let value = try? JSONValue(parsing: bytes) else { return }
            do throws(ValidationError) {
                let target = try SlipwayDecoding.target(from: value)
                // A valid target's gates expand without leaving a placeholder the controller knows.
                for gate in target.spec.gates ?? [] {
                    guard let query = gate.prometheus?.query else { continue }
                    let rendered = QueryTemplate.render(query, target: "t", namespace: "n", canary: "c", stable: "s")
                    require(QueryTemplate.placeholders(in: rendered).allSatisfy { !QueryTemplate.variables.contains($0) },
                            "a known placeholder is left in \(rendered)")
                }
            } catch {
                // Every refusal says which field and what is wrong.
                require(!error.issues.isEmpty, "a refusal without an issue")
            }
        },
        FuzzTarget(name: "deployment-request", input: "a DeploymentRequest as JSON") { bytes in
            guard let value = try? JSONValue(parsing: bytes) else { return }
            do throws(ValidationError) {
                let request = try SlipwayDecoding.request(from: value)
                _ = request.validationIssues(against: referenceTarget)
            } catch {
                require(!error.issues.isEmpty, "a refusal without an issue")
            }
        },
        FuzzTarget(name: "gate-template", input: "a Prometheus gate query") { bytes in
            let query = String(decoding: bytes, as: UTF8.self)
            let names = QueryTemplate.placeholders(in: query)
            let rendered = QueryTemplate.render(query, target: "web", namespace: "shop", canary: "web-canary", stable: "web-stable")
            // Without placeholders the query is sent as written.
            if names.isEmpty { require(rendered == query, "a query without placeholders changed: \(rendered)") }
        },
    ]

    /// The example target of manifests/examples/web.yaml.
    static let referenceTarget: DeploymentTarget = {
        let json = #"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentTarget","metadata":{"name":"web-production","namespace":"shop"},"spec":{"environment":"production","source":{"imageRepository":"registry.example.com/shop/web","branch":"main"},"container":"web","strategy":{"blueGreen":{"activeService":"web","previewService":"web-preview","blueDeployment":"web-blue","greenDeployment":"web-green"}}}}"#
        return try! SlipwayDecoding.target(from: try! JSONValue(parsing: json))
    }()
}
