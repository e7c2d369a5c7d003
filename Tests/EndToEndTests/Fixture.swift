/// A small blue/green application for the end-to-end tests: two slots, an active and a preview
/// Service, and a target whose HTTP gates go through the simulated apps with short intervals.
enum Fixture {
    static let namespace = "shop"
    static let target = "app-production"
    static let repository = "shop/app"
    static let firstImage = "shop/app:1.0.0"

    /// The application as it runs before any release: blue live on `firstImage`, green idle.
    /// - Parameters:
    ///   - liveBodyContains: what the post-promotion gate expects in the live app's answer
    ///     (a text the app never sends makes the gate fail after the switch).
    ///   - windows: the target's `windows` block (YAML, indented for `spec`), if any.
    ///   - readinessGate: adds a readiness gate (every pod available, no restarts) before the switch.
    static func application(approvalRequired: Bool = false, progressDeadlineSeconds: Int = 60, liveBodyContains: String? = nil,
                            windows: String? = nil, onGateFailure: String = "rollback", historyLimit: Int = 10,
                            readinessGate: Bool = false) -> String {
        let liveBody = liveBodyContains.map { "\n        bodyContains: \"\($0)\"" } ?? ""
        let preGates = readinessGate ? "[slot-ready, preview-healthy]" : "[preview-healthy]"
        let readiness = readinessGate ? """

                - name: slot-ready
                  intervalSeconds: 1
                  successThreshold: 2
                  failureLimit: 1
                  readiness:
                    maxRestarts: 0
            """ : ""
        let windowBlock = windows.map { "\n" + $0 } ?? ""
        return """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: \(namespace)
        ---
        \(deployment("blue", replicas: 2))
        ---
        \(deployment("green", replicas: 0))
        ---
        \(service("app", slot: "blue"))
        ---
        \(service("app-preview", slot: "green"))
        ---
        apiVersion: slipway.dev/v1alpha1
        kind: DeploymentTarget
        metadata:
          name: \(target)
          namespace: \(namespace)
        spec:
          environment: production
          source:
            imageRepository: \(repository)
          container: app
          strategy:
            blueGreen:
              activeService: app
              previewService: app-preview
              blueDeployment: app-blue
              greenDeployment: app-green
              autoPromote: true
              scaleDownDelaySeconds: 1
              prePromotionGates: \(preGates)
              postPromotionGates: [live-healthy]
          gates:\(readiness)
            - name: preview-healthy
              intervalSeconds: 1
              successThreshold: 2
              failureLimit: 1
              http:
                url: http://app-preview.\(namespace).svc/healthz
                timeoutSeconds: 1
            - name: live-healthy
              intervalSeconds: 1
              successThreshold: 1
              failureLimit: 1
              http:
                url: http://app.\(namespace).svc/healthz
                timeoutSeconds: 1\(liveBody)
          onGateFailure: \(onGateFailure)
          approval:
            required: \(approvalRequired)
            minApprovers: 1
            requesterMayApprove: false
          historyLimit: \(historyLimit)
          progressDeadlineSeconds: \(progressDeadlineSeconds)\(windowBlock)
        """
    }

    static func deployment(_ slot: String, replicas: Int) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app-\(slot)
          namespace: \(namespace)
          labels: {app: app, slot: \(slot)}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {app: app, slot: \(slot)}
          template:
            metadata:
              labels: {app: app, slot: \(slot)}
            spec:
              containers:
                - name: app
                  image: \(firstImage)
                  ports:
                    - containerPort: 8080
        """
    }

    static func service(_ name: String, slot: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          selector: {app: app, slot: \(slot)}
          ports:
            - name: http
              port: 80
              targetPort: 8080
        """
    }

    /// A request; `image` nil makes a rollback when `action` is rollback.
    static func request(_ name: String, target: String = target, action: String = "deploy", image: String? = nil,
                        commit: String? = "abcdef1", requestedBy: String = "ci") -> String {
        var spec = "  target: \(target)\n  action: \(action)\n"
        if let image { spec += "  image: \(image)\n" }
        if let commit { spec += "  commit: \"\(commit)\"\n" }
        return """
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentRequest
            metadata:
              name: \(name)
              namespace: \(namespace)
              annotations:
                slipway.dev/requested-by: "\(requestedBy)"
            spec:
            \(spec)
            """
    }
}
