import Foundation
import ClusterCore
import JSON
import YAML

/// Content negotiation as the API server does it: JSON and YAML bodies in, JSON out, the
/// `meta.k8s.io/v1` Table and aggregated discovery when asked for, and protobuf refused so
/// that clients fall back to JSON.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#alternate-representations-of-resources
enum MediaTypes {
    static let json = "application/json"
    static let aggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// What the `Accept` header asks for.
    enum Representation: Equatable {
        case json
        case table
        case aggregatedDiscovery
    }

    /// Picks the first representation of the Accept header that the server can produce.
    /// Throws 406 when only protobuf or other unknown types are acceptable.
    static func negotiate(accept: String?) throws(APIError) -> Representation {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        for entry in accept.split(separator: ",") {
            let parameters = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parameters.first else { continue }
            let params = Set(parameters.dropFirst())
            switch type {
            case "application/json", "application/yaml", "*/*", "application/*":
                if params.contains("as=table") {
                    if params.contains("g=meta.k8s.io") && (params.contains("v=v1") || params.contains("v=v1beta1")) { return .table }
                    continue
                }
                if params.contains("as=apigroupdiscoverylist") {
                    if params.contains("v=v2") { return .aggregatedDiscovery }
                    continue
                }
                if params.contains(where: { $0.hasPrefix("as=") }) { continue }
                return .json
            default:
                continue
            }
        }
        throw APIError(code: 406, reason: "NotAcceptable",
                       message: "only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io")
    }

    /// What `/openapi/v2` is asked for in: the gnostic protobuf that client-go's discovery
    /// client requests, or JSON.
    enum OpenAPIV2Representation: Equatable {
        case protobuf
        case json
    }

    /// The first entry of the Accept header `/openapi/v2` can produce (JSON for wildcards, as
    /// kube-openapi's handler lists JSON first); 406 when none.
    /// client-go asks for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`; older
    /// clients wrote `.v2.v1.0+protobuf`.
    static func negotiateOpenAPIV2(accept: String?) throws(APIError) -> OpenAPIV2Representation {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        for entry in accept.split(separator: ",") {
            let type = entry.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            switch type {
            case "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf":
                return .protobuf
            case "application/json", "*/*", "application/*":
                return .json
            default:
                continue
            }
        }
        throw APIError(code: 406, reason: "NotAcceptable",
                       message: "/openapi/v2 is served as application/json and application/com.github.proto-openapi.spec.v2@v1.0+protobuf only")
    }

    /// The kind of body a write request carries.
    enum BodyType: Equatable {
        case object          // application/json, application/yaml
        case jsonPatch       // application/json-patch+json
        case mergePatch      // application/merge-patch+json
        case strategicMerge  // application/strategic-merge-patch+json
        case apply           // application/apply-patch+yaml
    }

    static func bodyType(contentType: String?) throws(APIError) -> BodyType {
        let type = (contentType ?? json).split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? json
        switch type {
        case "", "application/json", "application/yaml", "text/yaml", "application/x-yaml", "*/*": return .object
        case "application/json-patch+json": return .jsonPatch
        case "application/merge-patch+json": return .mergePatch
        case "application/strategic-merge-patch+json": return .strategicMerge
        case "application/apply-patch+yaml", "application/apply-patch+json": return .apply
        default: throw APIError.unsupportedMediaType(contentType ?? "")
        }
    }

    /// Decodes a JSON or YAML body. JSON is tried first: it is what clients send, and every
    /// JSON text is YAML too.
    static func decodeBody(_ bytes: [UInt8], contentType: String?) throws(APIError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw APIError.badRequest("the request body is empty; send a JSON or YAML object")
        }
        let lowered = (contentType ?? "").lowercased()
        let yamlFirst = lowered.contains("yaml") && !(bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } ?? false)
        if !yamlFirst {
            do {
                return try JSONValue(parsing: bytes)
            } catch {
                if !lowered.contains("yaml") {
                    throw APIError.badRequest("the body of the request could not be decoded as JSON: \(error)")
                }
            }
        }
        do {
            return try YAML.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw APIError.badRequest("the body of the request could not be decoded as YAML: \(error)")
        }
    }
}
