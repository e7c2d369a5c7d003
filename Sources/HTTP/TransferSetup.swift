import CCurl

/// Turns an `HTTPRequest` and the client's configuration into a configured easy handle.
/// Options: https://curl.se/libcurl/c/curl_easy_setopt.html
extension Transfer {
    static func make(for request: HTTPRequest, configuration: HTTPClientConfiguration) throws(HTTPError) -> Transfer {
        try validate(request)
        let route = try ServerNameRoute.make(url: request.url, serverName: configuration.tls.serverName)
        _ = try ParsedURL(request.url)  // refuse malformed URLs before they reach libcurl

        guard let easy = curl_easy_init() else { throw .invalidRequest("libcurl could not create a transfer (out of memory)") }
        let method = request.method
        let transfer = Transfer(
            easy: easy,
            redactor: SecretRedactor(url: request.url, proxy: configuration.proxy, headers: request.headers),
            logDescription: "\(method) \(SecretRedactor.loggableLocation(of: request.url))",
            followsRedirects: method == "GET" || method == "HEAD"
        )
        // On any error below the transfer's deinit frees the handle.
        let options = EasyOptions(easy: easy)
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(transfer.errorBuffer))
        try options.set(CURLOPT_URL, route?.url ?? request.url)
        try options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_TCP_KEEPALIVE, 1)
        try options.set(CURLOPT_USERAGENT, configuration.userAgent)
        try options.set(CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode
        switch configuration.httpVersion {
        case .http1_1:
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .http2OverTLS:
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            // No CURLOPT_PIPEWAIT: in the libcurl releases Debian ships (7.88), a transfer
            // queued to wait for a connection's multiplexing verdict is left out of timeout
            // checks and is woken only by another transfer finishing
            // (https://github.com/curl/curl/pull/13276), so a burst of requests, such as a
            // controller's first lists, could wait with no deadline. Without it a burst may
            // open a few connections at first; later requests multiplex over them.
        }
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, configuration.connectTimeout.milliseconds))
        try options.set(CURLOPT_TIMEOUT_MS, request.timeout.map { max(1, $0.milliseconds) } ?? 0)
        // Low-speed limits stay off: a watch may be silent for minutes.
        try options.set(CURLOPT_PROXY, configuration.proxy ?? "")  // "" also ignores proxy environment variables
        try options.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        if transfer.followsRedirects {
            try options.set(CURLOPT_FOLLOWLOCATION, 1)
            try options.set(CURLOPT_MAXREDIRS, 10)
            try options.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try options.set(CURLOPT_HEADERDATA, pointer: context)
        try options.set(CURLOPT_HEADERFUNCTION, callback: { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.didReceiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: size * count))
        })
        try options.set(CURLOPT_WRITEDATA, pointer: context)
        try options.set(CURLOPT_WRITEFUNCTION, callback: { buffer, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.didReceiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
        })

        try setMethodAndBody(request, options)
        try setTLS(configuration.tls, route: route, options, transfer)

        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        lines.append("Expect:")  // no 100-continue round trip before uploads
        if request.body != nil, request.headers.firstValue(named: "content-type") == nil {
            lines.append("Content-Type:")  // not libcurl's default application/x-www-form-urlencoded
        }
        if let route, request.headers.firstValue(named: "host") == nil {
            lines.append("Host: \(route.hostHeader)")
        }
        for line in lines {
            guard let appended = curl_slist_append(transfer.headerList, line) else { throw .invalidRequest("out of memory building headers") }
            transfer.headerList = appended
        }
        try options.set(CURLOPT_HTTPHEADER, list: transfer.headerList)
        return transfer
    }

    private static func setMethodAndBody(_ request: HTTPRequest, _ options: EasyOptions) throws(HTTPError) {
        switch (request.method, request.body) {
        case ("GET", nil):
            try options.set(CURLOPT_HTTPGET, 1)
        case ("HEAD", nil):
            try options.set(CURLOPT_NOBODY, 1)
        case ("HEAD", _?):
            throw .invalidRequest("a HEAD request cannot carry a body")
        case (let method, nil) where method != "POST":
            try options.set(CURLOPT_CUSTOMREQUEST, method)
        case (let method, let body):
            // The body is copied into libcurl, so it does not have to outlive this call.
            let bytes = body ?? []
            try options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(bytes.count))
            try options.set(CURLOPT_COPYPOSTFIELDS, copying: bytes)
            if method != "POST" {
                try options.set(CURLOPT_CUSTOMREQUEST, method)
            }
        }
    }

    private static func setTLS(_ tls: TLSConfiguration, route: ServerNameRoute?, _ options: EasyOptions, _ transfer: Transfer) throws(HTTPError) {
        try options.set(CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        try options.set(CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        if let ca = tls.certificateAuthorityPEM {
            // Only the given authorities: drop the system bundle and directory.
            try options.set(CURLOPT_CAINFO, pointer: nil)
            try options.set(CURLOPT_CAPATH, pointer: nil)
            try options.set(CURLOPT_CAINFO_BLOB, blob: ca, what: "certificate authority")
        } else if let file = tls.certificateAuthorityFile {
            try options.set(CURLOPT_CAPATH, pointer: nil)
            try options.set(CURLOPT_CAINFO, file)
        }
        switch (tls.clientCertificatePEM, tls.clientKeyPEM) {
        case (let certificate?, let key?):
            try options.set(CURLOPT_SSLCERTTYPE, "PEM")
            try options.set(CURLOPT_SSLCERT_BLOB, blob: certificate, what: "client certificate")
            try options.set(CURLOPT_SSLKEYTYPE, "PEM")
            try options.set(CURLOPT_SSLKEY_BLOB, blob: key, what: "client key")
        case (nil, nil):
            break
        default:
            throw .invalidRequest("a client certificate needs its key and a key needs its certificate; set both or neither")
        }
        if let route {
            transfer.connectToList = curl_slist_append(nil, route.connectTo)
            guard transfer.connectToList != nil else { throw .invalidRequest("out of memory building the TLS server name route") }
            try options.set(CURLOPT_CONNECT_TO, list: transfer.connectToList)
        }
    }

    private static func validate(_ request: HTTPRequest) throws(HTTPError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw .invalidRequest("the method must be an HTTP token such as GET or PATCH")
        }
        let lowered = request.url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw .invalidRequest("the URL must start with http:// or https://")
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
                throw .invalidRequest("header name '\(header.name)' is not an HTTP token")
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("the value of header '\(header.name)' contains a line break or NUL")
            }
        }
    }

    /// tchar of RFC 9110 §5.6.2.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// A stable non-null address for an empty request body.
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Typed, checked `curl_easy_setopt` calls. A refused option is a configuration error.
struct EasyOptions {
    let easy: UnsafeMutableRawPointer

    private func check(_ code: CURLcode, _ option: CURLoption, what: String? = nil) throws(HTTPError) {
        guard code == CURLE_OK else {
            let subject = what ?? "option \(option.rawValue)"
            throw .invalidRequest("libcurl refused the \(subject): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(slipway_easy_setopt_long(easy, option, value), option)
    }

    func set(_ option: CURLoption, offset value: curl_off_t) throws(HTTPError) {
        try check(slipway_easy_setopt_off_t(easy, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(slipway_easy_setopt_string(easy, option, value), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HTTPError) {
        try check(slipway_easy_setopt_pointer(easy, option, value), option)
    }

    func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) throws(HTTPError) {
        try check(slipway_easy_setopt_slist(easy, option, value), option)
    }

    /// Options whose bytes libcurl copies during the call (`CURLOPT_COPYPOSTFIELDS`).
    func set(_ option: CURLoption, copying bytes: [UInt8]) throws(HTTPError) {
        let code = bytes.withUnsafeBytes { buffer in
            slipway_easy_setopt_pointer(easy, option, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafeRawPointer(emptyBody)))
        }
        try check(code, option)
    }

    func set(_ option: CURLoption, blob value: [UInt8], what: String) throws(HTTPError) {
        let code = value.withUnsafeBytes { slipway_easy_setopt_blob(easy, option, $0.baseAddress, $0.count) }
        try check(code, option, what: what)
    }

    func set(_ option: CURLoption, callback: curl_write_callback) throws(HTTPError) {
        try check(slipway_easy_setopt_write_callback(easy, option, callback), option)
    }
}

extension Duration {
    /// Whole milliseconds, for libcurl's `_MS` options.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
