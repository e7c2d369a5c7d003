import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// bcrypt password hashes for an htpasswd file (the only kind the distribution registry
/// accepts), from the system's libcrypt (libxcrypt on Debian), loaded at run time.
enum Htpasswd {
    typealias GenerateSalt = @convention(c) (UnsafePointer<CChar>?, UInt, UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>?
    typealias Crypt = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?

    /// `crypt` and `crypt_gensalt` answer in static buffers: one caller at a time.
    private static let lock = NSLock()

    /// The `user:$2b$…` line for `user` and `password`.
    static func line(user: String, password: String) throws(RegistryServerError) -> String {
        lock.lock()
        defer { lock.unlock() }
        guard let library = dlopen("libcrypt.so.1", RTLD_NOW) else { throw RegistryServerError("libcrypt.so.1 cannot be loaded; install libcrypt1") }
        guard let gensaltSymbol = dlsym(library, "crypt_gensalt"), let cryptSymbol = dlsym(library, "crypt") else {
            throw RegistryServerError("libcrypt lacks crypt_gensalt or crypt")
        }
        let gensalt = unsafeBitCast(gensaltSymbol, to: GenerateSalt.self)
        let crypt = unsafeBitCast(cryptSymbol, to: Crypt.self)
        guard let salt = gensalt("$2b$", 5, nil, 0) else { throw RegistryServerError("libcrypt cannot make a bcrypt salt") }
        guard let hash = crypt(password, salt), hash.pointee == CChar(UInt8(ascii: "$")) else {
            throw RegistryServerError("libcrypt cannot make a bcrypt hash")
        }
        return user + ":" + String(cString: hash)
    }
}
