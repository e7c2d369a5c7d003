import Foundation
import HTTP
@testable import Registry
import Testing

@Suite("Image references, challenges, pull secrets and answers")
struct ImageReferenceTests {
    @Test("references split into registry, repository, tag and digest as Docker reads them")
    func parsing() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let full = try ImageReference(parsing: "registry.example.com/shop/web:1.4.2")
        #expect(full.registry == "registry.example.com" && full.repository == "shop/web" && full.tag == "1.4.2" && full.digest == nil)
        let port = try ImageReference(parsing: "127.0.0.1:5000/shop/web@\(digest)")
        #expect(port.registry == "127.0.0.1:5000" && port.tag == nil && port.digest?.rawValue == digest)
        let hub = try ImageReference(parsing: "nginx:1.27")
        #expect(hub.name == "docker.io/library/nginx" && hub.apiHost == "registry-1.docker.io")
        let both = try ImageReference(parsing: "localhost/web:1@\(digest)")
        #expect(both.manifestReference == digest)
        #expect(both.pinned(to: both.digest!).description == "localhost/web@\(digest)")
        #expect(ImageDigest(digest)?.short == "sha256:abababababab")
        for bad in ["", "Shop/Web:1", "registry.example.com/shop/web", "web:-bad", "web@sha256:1234", "a//b:1"] {
            #expect(throws: RegistryError.self, "\(bad)") { try ImageReference(parsing: bad) }
        }
    }

    @Test("WWW-Authenticate challenges with quoted commas are parsed")
    func challenges() {
        let parsed = AuthenticationChallenge.parse(#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:shop/web:pull,push""#)
        #expect(parsed == [AuthenticationChallenge(scheme: "Bearer", parameters: [
            "realm": "https://auth.example.com/token", "service": "registry.example.com", "scope": "repository:shop/web:pull,push"])])
        #expect(AuthenticationChallenge.parse(#"Basic realm="Registry Realm""#).first?.isBasic == true)
        #expect(AuthenticationChallenge.parse("").isEmpty)
    }

    @Test("a dockerconfigjson Secret gives the credentials of its registry, in both of its forms")
    func pullSecrets() throws {
        let config = #"{"auths":{"https://registry.example.com/v1/":{"auth":"\#(Data("ci:s3cret".utf8).base64EncodedString())"},"ghcr.io":{"username":"bot","password":"tok"}}}"#
        #expect(try RegistryCredentials.from(dockerConfigJSON: Array(config.utf8), registry: "registry.example.com") == RegistryCredentials(username: "ci", password: "s3cret"))
        #expect(try RegistryCredentials.from(dockerConfigJSON: Array(config.utf8), registry: "ghcr.io") == RegistryCredentials(username: "bot", password: "tok"))
        #expect(try RegistryCredentials.from(dockerConfigJSON: Array(config.utf8), registry: "quay.io") == nil)
        #expect(throws: RegistryError.self) { try RegistryCredentials.from(dockerConfigJSON: Array("{".utf8), registry: "x") }
        #expect(RegistryCredentials(username: "ci", password: "s3cret").description.contains("s3cret") == false)
    }

    @Test("each error status becomes an error a user can act on; only outages and overload are retried")
    func statuses() {
        let image = ImageReference(registry: "registry.example.com", repository: "shop/web", tag: "1")
        func error(_ status: Int, headers: [(name: String, value: String)] = [], body: String = "") -> RegistryError? {
            do { try RegistryClient.check(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), image: image, hadCredentials: true); return nil }
            catch { return error }
        }
        #expect(error(200) == nil)
        #expect(error(403, body: #"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#)?.description
            .contains("DENIED: requested access to the resource is denied") == true)
        #expect(error(429, headers: [(name: "Retry-After", value: "30")]) == .rateLimited(image: image.description, registry: "registry.example.com", retryAfterSeconds: 30))
        #expect(error(429)?.isTransient == true)
        #expect(error(503)?.isTransient == true)
        #expect(error(404)?.isTransient == false)
        #expect(error(401)?.isTransient == false)
        #expect(error(418)?.description.contains("HTTP 418") == true)
    }

    @Test("a manifest served with an empty or bare-parameter Content-Type is refused with a reason, not a crash")
    func manifestWithoutMediaType() {
        let body = Array(#"{"schemaVersion":2}"#.utf8)
        for contentType in [";", "", " ; charset=utf-8"] {
            #expect(throws: ManifestDecodingError.self, "\(contentType)") { try Manifest(bytes: body, contentType: contentType) }
        }
        let typed = Array(#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(String(repeating: "ab", count: 32))","size":2}}"#.utf8)
        #expect((try? Manifest(bytes: typed, contentType: "application/vnd.oci.image.manifest.v1+json; charset=utf-8"))?.config?.size == 2)
    }
}
