import Kube
import SlipwayAPI

/// Names of the requests the CLI creates: `<target>-<hash>` for a deploy and
/// `<target>-rollback-<hash>` for a rollback, where the hash covers what is released and when,
/// so that two people deploying the same image a second apart still get different names.
///
/// Request names are DNS-1123 subdomains (253 characters); a target name is a DNS label of at
/// most 63, so the result always fits.
/// See https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
public enum RequestName {
    /// Characters of the hash: lowercase letters and digits without vowels and look-alikes
    /// (as Kubernetes' generateName suffixes), so that no word is spelled by accident.
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    static let hashLength = 5

    /// - Parameters:
    ///   - parts: what the request is about (image, commit, reason).
    ///   - entropy: a random number and/or the time, so that equal requests get distinct names.
    public static func make(target: String, action: RequestAction, parts: [String], entropy: UInt64) -> String {
        var hash = FNV1a()
        hash.add(target)
        hash.add(action.rawValue)
        for part in parts { hash.add(part) }
        hash.add(String(entropy))
        var value = hash.value
        var suffix = ""
        for _ in 0..<hashLength {
            suffix.append(alphabet[Int(value % UInt64(alphabet.count))])
            value /= UInt64(alphabet.count)
        }
        let prefix = action == .rollback ? "\(target)-rollback" : target
        return "\(prefix)-\(suffix)"
    }
}

/// 64-bit FNV-1a: a small, stable, well-spread hash; names need no cryptographic strength.
/// See http://www.isthe.com/chongo/tech/comp/fnv/
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0)  // a separator, so that ("ab", "c") and ("a", "bc") differ
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }
}
