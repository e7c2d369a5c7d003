import ArgumentParser
import SlipwayCLI

extension Slipway {
    /// The entry point: as `slipway` the arguments are parsed as given; invoked through a
    /// `kubectl-slipway` symlink (kubectl's plugin mechanism) they are read as `slipway request ...`.
    /// See https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/
    static func main() async {
        let argv = CommandLine.arguments
        await main(PluginInvocation.arguments(argv0: argv.first ?? "slipway", arguments: Array(argv.dropFirst())))
    }
}
