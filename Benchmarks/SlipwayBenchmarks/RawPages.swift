import Foundation
import HTTP
import Kube

/// Fetches the pages of a ConfigMap list as bytes with the HTTP client the Kube client is
/// built on, configured as `KubeClient` configures it, so that transfer time can be told
/// apart from decoding time. The continue token is picked out of the bytes without parsing.
struct RawPages {
    private let http: HTTPClient
    private let baseURL: String
    private let pageSize: Int
    private let authorization: String?

    init(configuration: ClusterConfiguration, namespace: String, pageSize: Int) throws {
        let settings = configuration.tls
        let tls = TLSConfiguration(certificateAuthorityPEM: settings.certificateAuthorityPEM,
                                   clientCertificatePEM: settings.clientCertificatePEM, clientKeyPEM: settings.clientKeyPEM,
                                   insecureSkipVerify: settings.insecureSkipVerify, serverName: settings.serverName)
        let defaults = KubeClient.ConnectionOptions()
        http = try HTTPClient(configuration: HTTPClientConfiguration(
            tls: tls, proxy: configuration.proxy, connectTimeout: defaults.connectTimeout,
            maxConnectionsPerHost: defaults.maxConnectionsPerHost, userAgent: KubeClient.defaultUserAgent,
            httpVersion: defaults.httpVersion))
        switch configuration.credentials {
        case .none: authorization = nil
        case .bearerToken(let token): authorization = "Bearer \(token)"
        default: throw BenchmarkFailure("the raw transfer measurement supports client certificates and static tokens only")
        }
        baseURL = configuration.server + "/api/v1/namespaces/\(Self.escape(namespace))/configmaps"
        self.pageSize = pageSize
    }

    func shutdown() { http.shutdown() }

    /// Every page's body, in order.
    func fetchAll() async throws -> [[UInt8]] {
        var pages: [[UInt8]] = []
        try await fetchEach { pages.append($0) }
        return pages
    }

    /// Hands each page's body to `receive` before asking for the next, as a paging client does.
    func fetchEach(_ receive: ([UInt8]) throws -> Void) async throws {
        var token: String?
        repeat {
            var url = baseURL + "?limit=\(pageSize)"
            if let token { url += "&continue=" + Self.escape(token) }
            var headers: [(name: String, value: String)] = [("Accept", "application/json")]
            if let authorization { headers.append(("Authorization", authorization)) }
            let response = try await http.execute(HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(120)))
            guard response.status == 200 else {
                throw BenchmarkFailure("listing ConfigMaps answered HTTP \(response.status)")
            }
            try receive(response.body)
            token = Self.continueToken(in: response.body)
        } while token != nil
    }

    private static let continueKey = Array(#""continue":""#.utf8)

    /// The list's `metadata.continue`, which the server writes before the items.
    static func continueToken(in body: [UInt8]) -> String? {
        let window = body.prefix(4096)
        guard let start = window.firstRange(of: continueKey)?.upperBound,
              let end = window[start...].firstIndex(of: UInt8(ascii: "\"")), end > start else { return nil }
        return String(decoding: window[start..<end], as: UTF8.self)
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
