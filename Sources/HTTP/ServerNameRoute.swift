import CCurl

/// How a request reaches a server whose certificate names a different host than the URL
/// (a kubeconfig's `tls-server-name`).
///
/// libcurl sends SNI and verifies the certificate against the URL's host, so the URL's host is
/// replaced by the server name and `CURLOPT_CONNECT_TO` sends the connection to the original
/// host and port (https://curl.se/libcurl/c/CURLOPT_CONNECT_TO.html). Unlike `CURLOPT_RESOLVE`
/// this needs no IP address, so it works when the URL names a host. The `Host` header keeps the
/// original authority, as Go's client (and thus kubectl) sends it.
struct ServerNameRoute: Sendable, Equatable {
    /// The URL with its host replaced by the server name.
    var url: String
    /// `serverName:port:originalHost:port` for `CURLOPT_CONNECT_TO`.
    var connectTo: String
    /// The original authority for the `Host` header.
    var hostHeader: String

    /// nil when no rerouting is needed (no server name, or not https).
    static func make(url: String, serverName: String?) throws(HTTPError) -> ServerNameRoute? {
        guard let serverName, !serverName.isEmpty else { return nil }
        guard serverName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            throw .invalidRequest("the TLS server name must be a DNS name (letters, digits, '.', '-')")
        }
        let parsed = try ParsedURL(url)
        guard parsed.scheme.lowercased() == "https" else { return nil }
        let host = try parsed.part(CURLUPART_HOST)
        let port = try parsed.part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT))
        let explicitPort = try? parsed.part(CURLUPART_PORT)
        try parsed.set(CURLUPART_HOST, to: serverName)
        return ServerNameRoute(
            url: try parsed.part(CURLUPART_URL),
            connectTo: "\(serverName):\(port):\(host):\(port)",
            hostHeader: explicitPort.map { "\(host):\($0)" } ?? host
        )
    }
}

/// A URL parsed by libcurl's own parser (https://curl.se/libcurl/c/libcurl-url.html), so the
/// client reads URLs exactly as the transfer will.
final class ParsedURL {
    private let handle: OpaquePointer
    let scheme: String

    init(_ url: String) throws(HTTPError) {
        guard let handle = curl_url() else { throw .invalidRequest("out of memory parsing the URL") }
        self.handle = handle
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw .invalidRequest("the URL is not a valid absolute URL (\(String(cString: curl_url_strerror(code))))")
        }
        var schemePointer: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, CURLUPART_SCHEME, &schemePointer, 0) == CURLUE_OK, let schemePointer else {
            curl_url_cleanup(handle)
            throw .invalidRequest("the URL has no scheme")
        }
        scheme = String(cString: schemePointer)
        curl_free(schemePointer)
    }

    deinit { curl_url_cleanup(handle) }

    func part(_ part: CURLUPart, flags: UInt32 = 0) throws(HTTPError) -> String {
        var pointer: UnsafeMutablePointer<CChar>?
        let code = curl_url_get(handle, part, &pointer, flags)
        guard code == CURLUE_OK, let pointer else {
            throw .invalidRequest("the URL lacks a part (\(String(cString: curl_url_strerror(code))))")
        }
        defer { curl_free(pointer) }
        return String(cString: pointer)
    }

    func set(_ part: CURLUPart, to value: String) throws(HTTPError) {
        let code = curl_url_set(handle, part, value, 0)
        guard code == CURLUE_OK else {
            throw .invalidRequest("the URL part is invalid (\(String(cString: curl_url_strerror(code))))")
        }
    }
}
