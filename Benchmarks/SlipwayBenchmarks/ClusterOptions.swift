import ArgumentParser
import Kube

/// Where the cluster is and which namespace holds the benchmark's ConfigMaps.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kubeconfig of the cluster to measure against.")
    var kubeconfig: String

    @Option(help: "Namespace holding the benchmark's ConfigMaps.")
    var namespace: String = "bench"

    func validate() throws {
        guard !kubeconfig.isEmpty else { throw ValidationError("--kubeconfig must name a kubeconfig file") }
        guard !namespace.isEmpty else { throw ValidationError("--namespace must not be empty") }
    }

    func configuration() throws(KubeError) -> ClusterConfiguration {
        try ClusterConfiguration.kubeconfig(paths: [kubeconfig])
    }

    /// A client with the library's defaults: what an application using Slipway gets.
    func client() throws(KubeError) -> KubeClient {
        try KubeClient(configuration: configuration())
    }
}
