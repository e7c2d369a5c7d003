import FakeTelegramAPI

/// People, chats and a staging environment for the bot's end-to-end tests.
enum BotFixture {
    static let admin = FakeUser(id: 1001, username: "alice", firstName: "Alice")
    static let secondAdmin = FakeUser(id: 1002, username: "bob", firstName: "Bob")
    static let stagingUser = FakeUser(id: 2002, username: "sam", firstName: "Sam")
    static let stranger = FakeUser(id: 6666, username: "mallory", firstName: "Mallory")
    /// A group both admins are in, where releases needing two people are run.
    static let releaseGroup: Int64 = -1_001_500

    static let callbackSecret = "0123456789abcdef0123456789abcdef-e2e-secret"

    /// The ChatOps configuration file: every test person's private chat and the group are served,
    /// so that strangers get an answer (a refusal) rather than silence.
    static func configuration(auditFile: String, stateDirectory: String, secretFile: String, callbackLifetime: Int) -> String {
        """
        namespace: \(Fixture.namespace)
        chats: [\(admin.id), \(secondAdmin.id), \(stagingUser.id), \(stranger.id), \(releaseGroup)]
        roles:
          admin: [\(admin.id), \(secondAdmin.id)]
          staging: [\(stagingUser.id)]
        adminOnlyEnvironments: [production]
        confirmEnvironments: [production]
        callbacks:
          secretFile: \(secretFile)
          lifetimeSeconds: \(callbackLifetime)
        audit:
          file: \(auditFile)
        stateDirectory: \(stateDirectory)
        github:
          apiURL: http://127.0.0.1:9
        image:
          tagTemplate: "{commit}"
        """
    }

    /// A staging environment next to the production one of `Fixture`: its own slots and Services.
    static func stagingApplication() -> String {
        let namespace = Fixture.namespace
        func deployment(_ slot: String, replicas: Int) -> String {
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: stage-\(slot)
              namespace: \(namespace)
              labels: {app: stage, slot: \(slot)}
            spec:
              replicas: \(replicas)
              selector:
                matchLabels: {app: stage, slot: \(slot)}
              template:
                metadata:
                  labels: {app: stage, slot: \(slot)}
                spec:
                  containers:
                    - name: app
                      image: \(Fixture.firstImage)
                      ports:
                        - containerPort: 8080
            """
        }
        func service(_ name: String, slot: String) -> String {
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              selector: {app: stage, slot: \(slot)}
              ports:
                - name: http
                  port: 80
                  targetPort: 8080
            """
        }
        return """
        \(deployment("blue", replicas: 1))
        ---
        \(deployment("green", replicas: 0))
        ---
        \(service("stage", slot: "blue"))
        ---
        \(service("stage-preview", slot: "green"))
        ---
        apiVersion: slipway.dev/v1alpha1
        kind: DeploymentTarget
        metadata:
          name: app-staging
          namespace: \(namespace)
        spec:
          environment: staging
          source:
            imageRepository: \(Fixture.repository)
          container: app
          strategy:
            blueGreen:
              activeService: stage
              previewService: stage-preview
              blueDeployment: stage-blue
              greenDeployment: stage-green
              autoPromote: true
              scaleDownDelaySeconds: 1
              prePromotionGates: [preview-healthy]
          gates:
            - name: preview-healthy
              intervalSeconds: 1
              successThreshold: 1
              failureLimit: 1
              http:
                url: http://stage-preview.\(namespace).svc/healthz
                timeoutSeconds: 1
          onGateFailure: rollback
          historyLimit: 10
          progressDeadlineSeconds: 60
        """
    }
}
