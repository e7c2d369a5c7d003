import Foundation
import HTTP
import JSON
@testable import Kube
import Testing

@Suite("Kube errors")
struct KubeErrorTests {
    @Test("a Status body becomes a typed API error with code, reason, message and details")
    func statusBody() {
        let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1","field":"spec.replicas"}]},"code":422}"#
        let error = KubeError.fromResponse(status: 422, body: Array(body.utf8))
        guard case .api(let status) = error else {
            Issue.record("expected an API error")
            return
        }
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.details?.name == "web")
        #expect(status.details?.kind == "Deployment")
        #expect(status.details?.causes?.first?.field == "spec.replicas")
        #expect(error.isInvalid)
        #expect(!error.isNotFound)
        #expect(error.description.contains("spec.replicas"))
    }

    @Test("not found, conflict, already exists and gone are told apart")
    func conveniences() {
        let notFound = KubeError.fromResponse(status: 404, body: Array(#"{"kind":"Status","reason":"NotFound","message":"configmaps \"x\" not found","code":404}"#.utf8))
        #expect(notFound.isNotFound)
        let conflict = KubeError.fromResponse(status: 409, body: Array(#"{"kind":"Status","reason":"Conflict","message":"the object has been modified","code":409}"#.utf8))
        #expect(conflict.isConflict && !conflict.isAlreadyExists)
        let exists = KubeError.fromResponse(status: 409, body: Array(#"{"kind":"Status","reason":"AlreadyExists","message":"already exists","code":409}"#.utf8))
        #expect(exists.isAlreadyExists && !exists.isConflict)
        let gone = KubeError.fromResponse(status: 410, body: Array(#"{"kind":"Status","reason":"Expired","message":"too old resource version","code":410}"#.utf8))
        #expect(gone.isGone)
        #expect(!KubeError.transport(.timedOut).isGone)
    }

    @Test("a body that is not a Status still gives a typed error from the HTTP status")
    func fallback() {
        let error = KubeError.fromResponse(status: 404, body: Array("<html>404 page not found</html>".utf8))
        #expect(error.isNotFound)
        #expect(error.reason == "NotFound")
        #expect(error.description.contains("404"))
        let empty = KubeError.fromResponse(status: 503, body: [])
        #expect(empty.statusCode == 503)
        #expect(empty.reason == "ServiceUnavailable")
        let huge = KubeError.fromResponse(status: 500, body: [UInt8](repeating: 65, count: 10_000))
        #expect(huge.description.count < 200)
    }

    @Test("a Status without a code takes the HTTP status")
    func missingCode() {
        let error = KubeError.fromResponse(status: 409, body: Array(#"{"kind":"Status","reason":"Conflict","message":"m"}"#.utf8))
        #expect(error.statusCode == 409)
    }

    @Test("transport and configuration errors describe themselves")
    func otherDescriptions() {
        #expect(KubeError.transport(.timedOut).description.contains("timed out"))
        let config = KubeError.configuration(ConfigurationError("is not valid base64", file: "/k/config", field: "users[a].user.client-key-data"))
        #expect(config.description == "/k/config, field users[a].user.client-key-data: is not valid base64")
    }
}
