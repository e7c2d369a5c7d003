import ClusterCore
import Crypto
import Foundation
import JSON

/// Issues and checks ServiceAccount tokens: JWTs (RFC 7519) with the claims kube-apiserver
/// puts in bound tokens (`sub: system:serviceaccount:NS:NAME`, `kubernetes.io.serviceaccount`
/// with the account's uid), signed with HMAC-SHA256. A token is accepted only until it
/// expires and while the ServiceAccount it names exists with the same uid, so deleting an
/// account revokes its tokens, as for bound tokens on a real cluster.
///
/// The signing key is derived (HKDF) from the cluster's admin token, so tokens survive a
/// restart with a state directory and die with the credentials.
/// See https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens
struct ServiceAccountTokens: Sendable {
    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// Bounds of `spec.expirationSeconds`: kube-apiserver refuses less than 10 minutes; a day
    /// is plenty for a test or demo cluster.
    static let minimumLifetime = 600
    static let maximumLifetime = 86_400 * 2
    static let defaultLifetime = 3600

    /// The HMAC key's bytes (SymmetricKey is not Sendable).
    private let keyBytes: [UInt8]
    private let store: ObjectStore

    init(secret: String, store: ObjectStore) {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
                                             info: Data("slipway service account tokens".utf8), outputByteCount: 32)
        keyBytes = derived.withUnsafeBytes { Array($0) }
        self.store = store
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    struct Issued: Sendable {
        var token: String
        var expiresAt: Date
    }

    func issue(namespace: String, name: String, uid: String, audiences: [String], lifetime: Int, now: Date = Date()) -> Issued {
        let issuedAt = Int(now.timeIntervalSince1970)
        let expiry = issuedAt + lifetime
        let claims: JSONValue = [
            "aud": .array(audiences.map { .string($0) }),
            "exp": .int(expiry), "iat": .int(issuedAt), "nbf": .int(issuedAt),
            "iss": .string(Self.issuer),
            "sub": .string(UserInfo.serviceAccountUserName(namespace: namespace, name: name)),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let signingInput = Self.base64URL(header.jsonBytes()) + "." + Self.base64URL(claims.jsonBytes())
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return Issued(token: signingInput + "." + Self.base64URL(Array(signature)),
                      expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)))
    }

    /// The ServiceAccount a presented token authenticates, or nil when the token is not one
    /// of ours, is expired, or its account is gone.
    func authenticate(_ token: some StringProtocol, now: Date = Date()) -> UserInfo? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Self.decodeBase64URL(parts[2]) else { return nil }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key),
              let payload = Self.decodeBase64URL(parts[1]), let claims = try? JSONValue(parsing: Array(payload)),
              let expiry = claims["exp"]?.intValue, Int(now.timeIntervalSince1970) < expiry,
              let namespace = claims[path: "kubernetes.io", "namespace"]?.stringValue,
              let name = claims[path: "kubernetes.io", "serviceaccount", "name"]?.stringValue,
              let uid = claims[path: "kubernetes.io", "serviceaccount", "uid"]?.stringValue,
              let accounts = store.resourceType(group: "", version: "v1", plural: "serviceaccounts"),
              let account = try? store.get(accounts, namespace: namespace, name: name),
              account[path: "metadata", "uid"]?.stringValue == uid else {
            return nil
        }
        return .serviceAccount(namespace: namespace, name: name)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
