/// The name formats Kubernetes validates (k8s.io/apimachinery/pkg/util/validation).
enum ResourceNames {
    static let dnsLabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let configKeyMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

    /// RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63.
    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 63 else { return false }
        let bytes = Array(text.utf8)
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = bytes.first, let last = bytes.last, alphanumeric(first), alphanumeric(last) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == 45 }
    }

    /// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// A ConfigMap or Secret key: alphanumerics, '-', '_' and '.', at most 253 characters.
    static func isConfigKey(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253, text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46
        }
    }
}
