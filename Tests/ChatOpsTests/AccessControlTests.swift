import ChatOps
import Kube
import SlipwayAPI
import Testing

@Suite struct AccessControlTests {
    let access = AccessControl(roles: ["admin": [1], "staging": [2], "release-managers": [3]])

    func target(_ environment: String, access: AccessPolicy? = nil) -> DeploymentTarget {
        DeploymentTarget(metadata: ObjectMeta(name: "web-\(environment)"), spec: DeploymentTargetSpec(
            environment: environment, source: ReleaseSource(imageRepository: "registry.example.com/web"), container: "web",
            strategy: ReleaseStrategy(blueGreen: BlueGreenStrategy(activeService: "a", previewService: "p", blueDeployment: "b", greenDeployment: "g")),
            access: access))
    }

    @Test func adminsAreStagingUsersToo() {
        #expect(access.roles(of: 1) == ["admin", "staging"])
        #expect(access.roles(of: 2) == ["staging"])
        #expect(access.roles(of: 99).isEmpty)
    }

    @Test func stagingUsersDeployOutsideProductionOnly() {
        #expect(access.allows(2, .deploy, on: target("staging")))
        #expect(!access.allows(2, .deploy, on: target("production")))
        #expect(!access.allows(2, .rollback, on: target("staging")))
        #expect(!access.allows(2, .approve, on: target("staging")))
        #expect(access.allows(2, .view))
    }

    @Test func adminsMayDoEverything() {
        for permission in ChatPermission.allCases {
            #expect(access.allows(1, permission, on: target("production")))
        }
    }

    @Test func strangersMayDoNothing() {
        for permission in ChatPermission.allCases {
            #expect(!access.allows(99, permission, on: target("staging")))
        }
    }

    @Test func aTargetsAccessListReplacesTheDefaults() {
        let production = target("production", access: AccessPolicy(deployers: ["release-managers"], approvers: ["2"], rollbackers: ["3"]))
        #expect(access.allows(3, .deploy, on: production))
        #expect(access.allows(3, .steer, on: production))
        #expect(access.allows(3, .rollback, on: production))
        #expect(!access.allows(2, .deploy, on: production))
        #expect(access.allows(2, .approve, on: production))
        let staging = target("staging", access: AccessPolicy(deployers: ["3"]))
        #expect(!access.allows(2, .deploy, on: staging))
        #expect(access.allows(1, .deploy, on: staging))
    }

    @Test func helpListsTheUsersOwnPermissions() {
        let targets = [target("staging"), target("production")]
        #expect(access.permissions(of: 2, targets: targets) == [.view, .deploy, .steer])
        #expect(access.permissions(of: 99, targets: targets).isEmpty)
        let help = StatusView.help(permissions: access.permissions(of: 2, targets: targets))
        #expect(help.contains("/deploy"))
        #expect(!help.contains("/rollback"))
        #expect(!help.contains("/approve"))
    }
}

@Suite struct CommandMenuTests {
    @Test func eachUserSeesTheirOwnCommands() {
        let staging = ChatOpsEngine.commands(permissions: [.view, .deploy, .steer]).map(\.command)
        #expect(staging == ["status", "history", "deploy", "promote", "abort", "help"])
        let admin = ChatOpsEngine.commands(permissions: Set(ChatPermission.allCases)).map(\.command)
        #expect(admin == ["status", "history", "deploy", "rollback", "approve", "promote", "abort", "help"])
        #expect(ChatOpsEngine.commands(permissions: []).isEmpty)
    }
}
