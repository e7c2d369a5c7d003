/// TLS settings for every transfer of one client. Verification is on unless
/// `insecureSkipVerify` says otherwise. Certificates and keys are passed to libcurl from
/// memory, never written to disk.
public struct TLSConfiguration: Sendable {
    /// PEM bundle of the certificate authorities to trust. When set (or `certificateAuthorityFile`
    /// is), only these authorities are trusted, not the system's, as a kubeconfig's
    /// `certificate-authority-data` means.
    public var certificateAuthorityPEM: [UInt8]?
    public var certificateAuthorityFile: String?
    /// PEM client certificate (chain) for mutual TLS; needs `clientKeyPEM`.
    public var clientCertificatePEM: [UInt8]?
    /// PEM private key of `clientCertificatePEM`.
    public var clientKeyPEM: [UInt8]?
    /// Turns off both peer and host name verification. Only for a kubeconfig that asks for it
    /// (`insecure-skip-tls-verify: true`).
    public var insecureSkipVerify: Bool
    /// Name to verify the server certificate against instead of the URL's host, and to send as
    /// SNI (a kubeconfig's `tls-server-name`). The connection still goes to the URL's host.
    public var serverName: String?

    public init(certificateAuthorityPEM: [UInt8]? = nil, certificateAuthorityFile: String? = nil, clientCertificatePEM: [UInt8]? = nil,
                clientKeyPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.certificateAuthorityFile = certificateAuthorityFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}
