/// The manifest and blob media types the client asks for and understands.
/// https://github.com/opencontainers/image-spec/blob/main/media-types.md and
/// https://distribution.github.io/distribution/spec/manifest-v2-2/
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// cosign's signature layer: the simple-signing payload, signed.
    public static let cosignSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json"

    /// Every manifest type, in the order a client prefers them: the `Accept` header of manifest requests.
    public static let manifests = [ociIndex, ociManifest, dockerManifestList, dockerManifest]

    public static func isIndex(_ type: String?) -> Bool { type == ociIndex || type == dockerManifestList }
}
