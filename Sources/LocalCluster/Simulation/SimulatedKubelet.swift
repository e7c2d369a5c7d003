import Foundation
import JSON

/// What a kubelet reports for a pod, derived from when the pod started and what its images'
/// tags say. The status is a pure function of (pod, start, now), so reconciling again
/// rewrites the same status and causes no watch event until something really changes.
/// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
struct SimulatedKubelet: Sendable {
    var readinessDelay: Duration
    var crashLoopRestartInterval: Duration

    static let nodeName = "slipway-node"
    static let hostIP = "10.0.0.10"

    /// The pod's status at `now`, given when its containers first started.
    func status(of pod: JSONValue, startedAt start: Date, now: Date) -> JSONValue {
        let containers = pod[path: "spec", "containers"]?.arrayValue ?? []
        var containerStatuses: [JSONValue] = []
        var allReady = !containers.isEmpty
        var readySince = start
        for container in containers {
            let image = container["image"]?.stringValue ?? ""
            let state = containerState(AppBehavior(image: image), start: start, now: now)
            allReady = allReady && state.ready
            if let since = state.readySince, since > readySince { readySince = since }
            var status: JSONValue = [
                "name": container["name"] ?? "",
                "image": .string(image),
                "imageID": .string("sim://\(image)"),
                "containerID": .string("containerd://\(PodTemplateHash.of(.string(pod.objectUID + (container["name"]?.stringValue ?? ""))))"),
                "ready": .bool(state.ready),
                "started": .bool(state.running),
                "restartCount": .int(state.restarts),
                "state": state.state,
            ]
            if let last = state.lastState { status["lastState"] = last }
            containerStatuses.append(status)
        }
        let started = SimulationTime.timestamp(start)
        let readyTransition = allReady ? SimulationTime.timestamp(readySince) : started
        let readyStatus: JSONValue = allReady ? "True" : "False"
        func condition(_ type: String, _ status: JSONValue, _ time: String, reason: String? = nil) -> JSONValue {
            var condition: JSONValue = ["type": .string(type), "status": status, "lastProbeTime": nil, "lastTransitionTime": .string(time)]
            if let reason, status != "True" { condition["reason"] = .string(reason) }
            return condition
        }
        let notReady = containerStatuses.filter { $0["ready"]?.boolValue != true }.compactMap { $0["name"]?.stringValue }
        var readyCondition = condition("Ready", readyStatus, readyTransition, reason: "ContainersNotReady")
        var containersReady = condition("ContainersReady", readyStatus, readyTransition, reason: "ContainersNotReady")
        if !allReady {
            let message = JSONValue.string("containers with unready status: [\(notReady.joined(separator: " "))]")
            readyCondition["message"] = message
            containersReady["message"] = message
        }
        return [
            "phase": "Running",
            "conditions": [
                condition("PodReadyToStartContainers", "True", started),
                condition("Initialized", "True", started),
                readyCondition,
                containersReady,
                condition("PodScheduled", "True", started),
            ],
            "hostIP": .string(Self.hostIP),
            "hostIPs": [["ip": .string(Self.hostIP)]],
            "podIP": .string(Self.podIP(uid: pod.objectUID)),
            "podIPs": [["ip": .string(Self.podIP(uid: pod.objectUID))]],
            "startTime": .string(started),
            "qosClass": pod[path: "status", "qosClass"] ?? "BestEffort",
            "containerStatuses": .array(containerStatuses),
        ]
    }

    private struct ContainerState {
        var ready: Bool
        var running: Bool
        var restarts: Int
        var readySince: Date?
        var state: JSONValue
        var lastState: JSONValue?
    }

    private func containerState(_ behavior: AppBehavior, start: Date, now: Date) -> ContainerState {
        let elapsed = max(0, now.timeIntervalSince(start))
        if behavior.crashLoop {
            // The container exits soon after each start; the kubelet restarts it with back-off.
            let interval = max(crashLoopRestartInterval.simulationSeconds, 0.1)
            let restarts = Int(elapsed / interval)
            let lastStart = start.addingTimeInterval(Double(restarts) * interval)
            let lastExit = lastStart.addingTimeInterval(min(interval / 2, 1))
            return ContainerState(
                ready: false, running: false, restarts: restarts, readySince: nil,
                state: ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off restarting failed container: the application exited with code 1"]],
                lastState: restarts == 0 ? [:] : ["terminated": [
                    "exitCode": 1, "reason": "Error",
                    "startedAt": .string(SimulationTime.timestamp(lastStart.addingTimeInterval(-interval))),
                    "finishedAt": .string(SimulationTime.timestamp(lastExit.addingTimeInterval(-interval))),
                ]])
        }
        let readyAt = start.addingTimeInterval(readinessDelay.simulationSeconds + Double(behavior.slowSeconds))
        let ready = now >= readyAt
        return ContainerState(
            ready: ready, running: true, restarts: 0, readySince: ready ? readyAt : nil,
            state: ["running": ["startedAt": .string(SimulationTime.timestamp(start))]], lastState: [:])
    }

    /// A stable address in 10.244.0.0/16 derived from the pod's uid.
    static func podIP(uid: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in uid.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return "10.244.\((hash >> 8) & 0xff).\(max(2, hash & 0xff))"
    }

    /// Whether the pod counts as a ready endpoint: Ready=True and not being deleted.
    static func isReady(_ pod: JSONValue) -> Bool {
        guard !pod.isBeingDeleted else { return false }
        return (pod[path: "status", "conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }
}
