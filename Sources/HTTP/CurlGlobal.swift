import CCurl

/// libcurl's process-wide initialisation, done exactly once before the first handle is made.
/// `curl_global_init` is not thread-safe to call concurrently; a Swift static `let` is initialised
/// once under a lock, which gives exactly that. https://curl.se/libcurl/c/curl_global_init.html
enum CurlGlobal {
    private static let initialisation: CURLcode = curl_global_init(slipway_curl_global_all)

    static func ensureInitialised() throws(HTTPError) {
        let code = initialisation
        guard code == CURLE_OK else {
            throw .transport(code: Int(code.rawValue), message: "libcurl could not be initialised: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
