internal import COpenSSL

/// Owns one `EVP_PKEY` (an X25519 or Ed25519 key) and frees it with the object.
final class PKey {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }

    enum Kind {
        case x25519, ed25519
        var id: Int32 { self == .x25519 ? EVP_PKEY_X25519 : EVP_PKEY_ED25519 }
        var name: String { self == .x25519 ? "X25519" : "Ed25519" }
    }

    static func privateKey(_ kind: Kind, raw: SecureBytes) throws -> PKey {
        guard raw.count == 32 else {
            throw CryptoError.rejected(
                "\(kind.name) private key import", .wrongKeyLength(expected: 32, actual: raw.count))
        }
        let made = raw.withUnsafeBytes {
            EVP_PKEY_new_raw_private_key(kind.id, nil, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), 32)
        }
        guard let made else { throw CryptoError.openSSL("\(kind.name) private key import") }
        return PKey(made)
    }

    static func publicKey(_ kind: Kind, raw: [UInt8]) throws -> PKey {
        guard raw.count == 32 else {
            throw CryptoError.rejected(
                "\(kind.name) public key import", .wrongKeyLength(expected: 32, actual: raw.count))
        }
        guard let made = EVP_PKEY_new_raw_public_key(kind.id, nil, raw, 32) else {
            throw CryptoError.openSSL("\(kind.name) public key import")
        }
        return PKey(made)
    }

    func rawPublicKey(_ kind: Kind) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 32
        try check(EVP_PKEY_get_raw_public_key(pointer, &out, &len), "\(kind.name) public key export")
        guard len == 32 else { throw CryptoError.rejected("\(kind.name) public key export", .unexpectedOutputLength) }
        return out
    }
}
