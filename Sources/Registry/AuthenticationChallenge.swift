/// One challenge of a `WWW-Authenticate` header: the scheme and its parameters.
/// Registries answer 401 with `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:shop/web:pull"`
/// (Docker Hub, GHCR, ECR, Harbor) or `Basic realm="…"`.
/// https://distribution.github.io/distribution/spec/auth/token/ and RFC 9110 §11.6.1.
public struct AuthenticationChallenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String] = [:]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    public var isBearer: Bool { scheme.lowercased() == "bearer" }
    public var isBasic: Bool { scheme.lowercased() == "basic" }

    /// The challenges of a header value, in order. Quoted strings may hold commas and escaped
    /// quotes; parameter names are lowercased. Unparseable text yields what was understood so far.
    public static func parse(_ header: String) -> [AuthenticationChallenge] {
        var challenges: [AuthenticationChallenge] = []
        let characters = Array(header)
        var index = 0
        func skipSpaces() { while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 } }
        func token() -> String {
            var text = ""
            while index < characters.count, !" \t,=\"".contains(characters[index]) { text.append(characters[index]); index += 1 }
            return text
        }
        while index < characters.count {
            skipSpaces()
            while index < characters.count, characters[index] == "," { index += 1; skipSpaces() }
            let scheme = token()
            guard !scheme.isEmpty else { break }
            var challenge = AuthenticationChallenge(scheme: scheme)
            // Parameters: name=value pairs separated by commas, until a token not followed by '='.
            while true {
                skipSpaces()
                let start = index
                let name = token()
                skipSpaces()
                guard !name.isEmpty, index < characters.count, characters[index] == "=" else { index = start; break }
                index += 1
                skipSpaces()
                var value = ""
                if index < characters.count, characters[index] == "\"" {
                    index += 1
                    while index < characters.count, characters[index] != "\"" {
                        if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                        value.append(characters[index])
                        index += 1
                    }
                    index += 1
                } else {
                    value = token()
                }
                challenge.parameters[name.lowercased()] = value
                skipSpaces()
                if index < characters.count, characters[index] == "," { index += 1 } else { break }
            }
            challenges.append(challenge)
        }
        return challenges
    }
}
