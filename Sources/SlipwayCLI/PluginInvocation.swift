/// Running as a kubectl plugin. kubectl runs an executable named `kubectl-slipway` found on
/// PATH for `kubectl slipway ...`, passing the words after `slipway`; a symlink of that name
/// to `slipway` therefore behaves as `slipway request ...`.
/// See https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/
public enum PluginInvocation {
    public static let executableName = "kubectl-slipway"

    /// The arguments `slipway` should parse, given how it was invoked (`argv[0]`) and the rest.
    /// Under the plugin name, `request` is put in front unless it is already there.
    public static func arguments(argv0: String, arguments: [String]) -> [String] {
        let base = argv0.split(separator: "/").last.map(String.init) ?? argv0
        guard base == executableName else { return arguments }
        if arguments.first == "request" { return arguments }
        return ["request"] + arguments
    }
}
