import ArgumentParser

enum SlipwayVersion {
    static let string = "0.1.0"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Slipway's version.")

    func run() throws {
        print("slipway \(SlipwayVersion.string)")
    }
}
