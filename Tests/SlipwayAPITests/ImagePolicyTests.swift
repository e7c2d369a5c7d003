import ClusterCore
import JSON
import Kube
import SlipwayAPI
import Testing

@Suite("SlipwayAPI image policy")
struct ImagePolicyTests {
    static let publicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAED/xWUkYCMT6gBi3Rj05jE0ehwm5R
        vlJ+kHPmpA13XxDB7637Z8woivzBWavOAxL1c7+BZczve1RPzG9Yy/aFbw==
        -----END PUBLIC KEY-----
        """
    static let caBundle = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    @Test("a full image policy is valid for both the schema and the controller, and its defaults follow what it asks for")
    func fullPolicyIsValid() throws {
        let policy: JSONValue = [
            "requireInRegistry": true, "pinDigest": true,
            "registry": ["caBundle": .string(Self.caBundle), "pullSecret": "regcred"],
            "signatures": ["publicKeys": [.string(Self.publicKey)]],
        ]
        let document = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").setting("spec.imagePolicy", to: policy)
        #expect(Fixtures.schemaCauses(document, schema: try Fixtures.targetSchema()).isEmpty)
        let target = try SlipwayDecoding.decode(DeploymentTarget.self, from: document)
        #expect(target.validationIssues().isEmpty, "\(target.validationIssues())")
        #expect(target.spec.imagePolicy?.registry?.pullSecret == "regcred")

        #expect(ImagePolicy(pinDigest: true).effectiveRequireInRegistry)
        #expect(ImagePolicy(signatures: SignaturePolicy(publicKeys: [Self.publicKey])).effectiveRequireInRegistry)
        #expect(!ImagePolicy().effectiveRequireInRegistry)
        #expect(!ImagePolicy(requireInRegistry: true).effectivePinDigest)
    }
}
