import Foundation
import Testing

/// The examples a user copies apply as they are, with the real kubectl, after the CRDs — as
/// the README tells them to — and their hardened Deployments still come up in the simulation.
@Suite("EndToEnd examples", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndExamplesTests {
    @Test("kubectl apply -R -f manifests/examples applies every example after the CRDs, and the sample Deployments become ready")
    func examplesApplyAsAWhole() async throws {
        try await EndToEndCluster.with(controller: false, extraCRDs: ["manifests/crds/third-party"]) { cluster in
            // The third-party CRDs are served once their kinds are discoverable.
            let served = try await waitUntil(timeout: .seconds(60)) {
                (try? await cluster.kubectl(["get", "virtualservices.networking.istio.io,httproutes.gateway.networking.k8s.io", "-A"])) != nil
            }
            #expect(served, "the third-party CRDs were not served")
            let examples = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests/examples").path
            let output = try await cluster.kubectl(["apply", "-R", "-f", examples])
            for object in ["namespace/shop", "deployment.apps/web-blue", "deploymenttarget.slipway.dev/web-production",
                           "virtualservice.networking.istio.io/catalog", "networkpolicy.networking.k8s.io/web"] {
                #expect(output.contains(object), "kubectl did not apply \(object): \(output)")
            }
            let names = try await cluster.kubectl(["get", "deployments", "-n", "shop", "-o", "name"])
            #expect(names.split(separator: "\n").count == 10, "\(names)")
            // Hardened as the install manifests are, and still started by the simulation.
            let ready = try await waitUntil(timeout: .seconds(60)) {
                let replicas = try? await cluster.kubectl(["get", "deployment", "web-blue", "-n", "shop", "-o", "jsonpath={.status.readyReplicas}"])
                return replicas == "3"
            }
            #expect(ready, "web-blue did not become ready")
            let readOnly = try await cluster.kubectl(["get", "deployment", "api-stable", "-n", "shop", "-o",
                                                      "jsonpath={.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}"])
            #expect(readOnly == "true")
        }
    }
}
