import ArgumentParser

@main
struct Slipway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "Kubernetes-native blue/green and canary releases, driven from Telegram or kubectl.",
        version: SlipwayVersion.string,
        subcommands: [
            ClusterCommand.self, ControllerCommand.self, BotCommand.self,
            RequestCommand.self, DemoCommand.self,
            AuditCommand.self, VersionCommand.self,
        ]
    )
}
