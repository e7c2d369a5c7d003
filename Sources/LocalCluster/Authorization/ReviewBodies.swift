import ClusterCore
import HTTPTypes
import Hummingbird
import JSON

/// The `spec` of the TokenRequest, SelfSubjectAccessReview and SelfSubjectRulesReview bodies, sent as JSON or, by
/// client-go's typed clients (`kubectl create token`, `kubectl auth can-i`), as protobuf.
/// Field numbers from k8s.io/api/authentication/v1/generated.proto and
/// k8s.io/api/authorization/v1/generated.proto.
enum ReviewBodies {
    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func read(_ request: Request) async throws -> [UInt8] {
        let buffer = try await request.body.collect(upTo: APIServer.maximumBodySize)
        return Array(buffer.readableBytesView)
    }

    /// The body's `spec`, or an empty object for an empty body.
    static func spec(_ bytes: [UInt8], contentType: String?, protobufSpec: ([UInt8]) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .emptyObject }
        if ProtobufBodies.isProtobuf(contentType) {
            guard bytes.starts(with: magic) else {
                throw APIError.badRequest("the protobuf body does not start with the Kubernetes magic number k8s\\0")
            }
            let raw = try field(2, of: Array(bytes.dropFirst(magic.count))) ?? []
            return try protobufSpec(try field(2, of: raw) ?? [])
        }
        let object = try MediaTypes.decodeBody(bytes, contentType: contentType)
        guard case .object = object else { throw APIError.badRequest("the request body must be a JSON object") }
        return object["spec"] ?? .emptyObject
    }

    /// TokenRequestSpec: audiences = 1 (repeated), expirationSeconds = 4.
    static func tokenRequestSpec(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        var reader = WireReader(bytes: bytes)
        var spec = JSONValue.emptyObject
        var audiences: [JSONValue] = []
        while let (number, value) = try reader.next() {
            switch (number, value) {
            case (1, .bytes(let text)): audiences.append(.string(String(decoding: text, as: UTF8.self)))
            case (4, .varint(let seconds)): spec["expirationSeconds"] = .int(Int(truncatingIfNeeded: seconds))
            default: continue
            }
        }
        if !audiences.isEmpty { spec["audiences"] = .array(audiences) }
        return spec
    }

    /// SelfSubjectAccessReviewSpec: resourceAttributes = 1 (namespace 1, verb 2, group 3,
    /// version 4, resource 5, subresource 6, name 7), nonResourceAttributes = 2 (path 1, verb 2).
    static func accessReviewSpec(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        var reader = WireReader(bytes: bytes)
        var spec = JSONValue.emptyObject
        while let (number, value) = try reader.next() {
            guard case .bytes(let nested) = value else { continue }
            if number == 1 {
                spec["resourceAttributes"] = try strings(nested, [1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource",
                                                                   6: "subresource", 7: "name"])
            } else if number == 2 {
                spec["nonResourceAttributes"] = try strings(nested, [1: "path", 2: "verb"])
            }
        }
        return spec
    }

    /// SelfSubjectRulesReviewSpec: namespace = 1.
    static func rulesReviewSpec(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        try strings(bytes, [1: "namespace"])
    }

    private static func strings(_ bytes: [UInt8], _ names: [Int: String]) throws(APIError) -> JSONValue {
        var reader = WireReader(bytes: bytes)
        var object = JSONValue.emptyObject
        while let (number, value) = try reader.next() {
            if case .bytes(let text) = value, let name = names[number] {
                object[name] = .string(String(decoding: text, as: UTF8.self))
            }
        }
        return object
    }

    private static func field(_ wanted: Int, of bytes: [UInt8]) throws(APIError) -> [UInt8]? {
        var reader = WireReader(bytes: bytes)
        while let (number, value) = try reader.next() {
            if number == wanted, case .bytes(let nested) = value { return nested }
        }
        return nil
    }
}
