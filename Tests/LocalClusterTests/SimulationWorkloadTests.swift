import Foundation
import JSON
import LocalCluster
import Testing

@Suite("Simulation: workloads")
struct SimulationWorkloadTests {
    @Test("A Deployment becomes fully available with the status the real controller gives, and kubectl rollout status agrees")
    func deploymentBecomesAvailable() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("web.yaml", SimulatedCluster.workload("web", image: "shop/web:1.0.0", replicas: 3))
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])

            let deployment = try await cluster.json(["deployment", "web"])
            #expect(deployment.int("status", "observedGeneration") == deployment.int("metadata", "generation"))
            #expect(deployment.int("status", "replicas") == 3)
            #expect(deployment.int("status", "updatedReplicas") == 3)
            #expect(deployment.int("status", "readyReplicas") == 3)
            #expect(deployment.int("status", "availableReplicas") == 3)
            #expect(deployment[path: "status", "unavailableReplicas"] == nil)
            #expect(deployment.condition("Available")?["status"] == "True")
            #expect(deployment.condition("Progressing")?["status"] == "True")
            #expect(deployment.condition("Progressing")?["reason"] == "NewReplicaSetAvailable")
            #expect(deployment[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "1")

            let replicaSets = try await cluster.items("replicasets")
            #expect(replicaSets.count == 1)
            let replicaSet = try #require(replicaSets.first)
            let hash = try #require(replicaSet[path: "metadata", "labels", "pod-template-hash"]?.stringValue)
            #expect(replicaSet[path: "metadata", "name"]?.stringValue == "web-\(hash)")
            let owner = replicaSet[path: "metadata", "ownerReferences"]?.arrayValue?.first
            #expect(owner?["kind"] == "Deployment" && owner?["controller"] == true && owner?["uid"] == deployment[path: "metadata", "uid"])
            #expect(replicaSet.int("status", "readyReplicas") == 3)

            let pods = try await cluster.items("pods")
            #expect(pods.count == 3)
            for pod in pods {
                #expect(pod[path: "metadata", "name"]?.stringValue?.hasPrefix("web-\(hash)-") == true)
                #expect(pod[path: "status", "phase"] == "Running")
                #expect(pod.isReadyPod)
                #expect(pod.condition("ContainersReady")?["status"] == "True")
                #expect(pod[path: "status", "podIP"]?.stringValue?.hasPrefix("10.244.") == true)
                let container = pod[path: "status", "containerStatuses"]?.arrayValue?.first
                #expect(container?["ready"] == true && container?["restartCount"] == 0 && container?["image"] == "shop/web:1.0.0")
                #expect(container?[path: "state", "running"] != nil)
            }
        }
    }

    @Test("Changing the image rolls out a new ReplicaSet and the old pods go away")
    func rollingUpdate() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("web.yaml", SimulatedCluster.workload("web", image: "shop/web:1.0.0", replicas: 3))
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])
            try await cluster.kubectlOK(["set", "image", "deployment/web", "app=shop/web:2.0.0"])
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])

            try await RunningCluster.eventually("old pods to go") {
                let pods = try await cluster.items("pods")
                return pods.count == 3 && pods.allSatisfy {
                    $0[path: "spec", "containers"]?.arrayValue?.first?["image"] == "shop/web:2.0.0" && $0.isReadyPod
                }
            }
            let replicaSets = try await cluster.items("replicasets")
            #expect(replicaSets.count == 2)
            let newest = replicaSets.first { $0[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "2" }
            let oldest = replicaSets.first { $0[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "1" }
            #expect(newest?.int("spec", "replicas") == 3)
            #expect(oldest?.int("spec", "replicas") == 0)
            let deployment = try await cluster.json(["deployment", "web"])
            #expect(deployment.int("status", "updatedReplicas") == 3)
            #expect(deployment.int("status", "availableReplicas") == 3)
            #expect(deployment.condition("Progressing")?["reason"] == "NewReplicaSetAvailable")
            #expect(deployment[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "2")
        }
    }

    @Test("Putting the previous image back scales the old ReplicaSet up again as the newest revision")
    func rollBack() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("web.yaml", SimulatedCluster.workload("web", image: "shop/web:1.0.0", replicas: 2))
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])
            let first = try #require(try await cluster.items("replicasets").first?[path: "metadata", "name"]?.stringValue)
            try await cluster.kubectlOK(["set", "image", "deployment/web", "app=shop/web:2.0.0"])
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])
            try await cluster.kubectlOK(["rollout", "undo", "deployment/web"])
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])

            let replicaSets = try await cluster.items("replicasets")
            #expect(replicaSets.count == 2)
            let reused = replicaSets.first { $0[path: "metadata", "name"]?.stringValue == first }
            #expect(reused?.int("spec", "replicas") == 2)
            #expect(reused?[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "3")
            try await RunningCluster.eventually("only pods of the first image to remain") {
                let pods = try await cluster.items("pods")
                return pods.count == 2 && pods.allSatisfy { $0[path: "spec", "containers"]?.arrayValue?.first?["image"] == "shop/web:1.0.0" }
            }
        }
    }

    @Test("Scaling to zero removes every pod and the Deployment stays available")
    func scaleToZero() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("web.yaml", SimulatedCluster.workload("web", image: "shop/web:1.0.0", replicas: 2))
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])
            try await cluster.kubectlOK(["scale", "deployment/web", "--replicas=0"])
            try await RunningCluster.eventually("pods to go") { try await cluster.items("pods").isEmpty }
            try await RunningCluster.eventually("status to show zero replicas") {
                let deployment = try await cluster.json(["deployment", "web"])
                return deployment[path: "status", "replicas"] == nil
                    && deployment.int("status", "observedGeneration") == deployment.int("metadata", "generation")
                    && deployment.condition("Available")?["status"] == "True"
                    && deployment.condition("Progressing")?["reason"] == "NewReplicaSetAvailable"
            }
        }
    }

    @Test("A crashloop image never becomes available, its restarts grow, and the progress deadline fails the rollout")
    func crashLoop() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("bad.yaml", SimulatedCluster.workload("bad", image: "shop/web:1.0.0-crashloop", progressDeadlineSeconds: 2))
            try await RunningCluster.eventually("restarts to grow") {
                let pods = try await cluster.items("pods")
                let restarts = pods.first?[path: "status", "containerStatuses"]?.arrayValue?.first?["restartCount"]?.intValue ?? 0
                return restarts >= 3
            }
            let pod = try #require(try await cluster.items("pods").first)
            #expect(!pod.isReadyPod)
            let container = pod[path: "status", "containerStatuses"]?.arrayValue?.first
            #expect(container?[path: "state", "waiting", "reason"] == "CrashLoopBackOff")

            try await RunningCluster.eventually("the progress deadline to pass") {
                let deployment = try await cluster.json(["deployment", "bad"])
                return deployment.condition("Progressing")?["reason"] == "ProgressDeadlineExceeded"
            }
            let deployment = try await cluster.json(["deployment", "bad"])
            #expect(deployment.condition("Progressing")?["status"] == "False")
            #expect(deployment.condition("Available")?["status"] == "False")
            #expect(deployment[path: "status", "availableReplicas"] == nil)
            #expect(deployment.int("status", "unavailableReplicas") == 1)
            let rollout = try await cluster.kubectl(["rollout", "status", "deployment/bad", "--timeout=20s"])
            #expect(rollout.status != 0)
            #expect(rollout.stderr.contains("exceeded its progress deadline"))
        }
    }

    @Test("A slow2 image is not ready at first, then becomes ready")
    func slowReadiness() async throws {
        try await SimulatedCluster.with(simulation: .init(readinessDelay: .zero, resyncInterval: .milliseconds(100))) { cluster in
            try await cluster.apply("slow.yaml", SimulatedCluster.workload("slow", image: "shop/web:1.0.0-slow2"))
            var firstSeen: JSONValue?
            try await RunningCluster.eventually("the pod to be running") {
                firstSeen = try await cluster.items("pods").first { $0[path: "status", "startTime"] != nil }
                return firstSeen != nil
            }
            #expect(firstSeen?.isReadyPod == false)
            try await RunningCluster.eventually("the pod to become ready") {
                try await cluster.items("pods").first?.isReadyPod == true
            }
            try await cluster.kubectlOK(["rollout", "status", "deployment/slow", "--timeout=60s"])
        }
    }

    @Test("Deleting a Deployment removes its ReplicaSets and Pods")
    func garbageCollection() async throws {
        try await SimulatedCluster.with { cluster in
            try await cluster.apply("web.yaml", SimulatedCluster.workload("web", image: "shop/web:1.0.0", replicas: 2))
            try await cluster.kubectlOK(["rollout", "status", "deployment/web", "--timeout=60s"])
            try await cluster.kubectlOK(["delete", "deployment", "web"])
            try await RunningCluster.eventually("replicasets and pods to go") {
                let replicaSets = try await cluster.items("replicasets")
                let pods = try await cluster.items("pods")
                return replicaSets.isEmpty && pods.isEmpty
            }
        }
    }
}
