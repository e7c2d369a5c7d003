import Kube

/// The API group and version of Slipway's resources, as the CustomResourceDefinitions in
/// `manifests/crds/` declare them.
public enum SlipwayGroup {
    public static let group = "slipway.dev"
    public static let version = "v1alpha1"
    /// `slipway.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"
}

extension ResourceDescriptor {
    /// `deploymenttargets.slipway.dev`: one environment of one application.
    public static let deploymentTargets = ResourceDescriptor(
        group: SlipwayGroup.group, version: SlipwayGroup.version, plural: "deploymenttargets",
        kind: "DeploymentTarget", namespaced: true)
    /// `deploymentrequests.slipway.dev`: one ask for a release.
    public static let deploymentRequests = ResourceDescriptor(
        group: SlipwayGroup.group, version: SlipwayGroup.version, plural: "deploymentrequests",
        kind: "DeploymentRequest", namespaced: true)
}
