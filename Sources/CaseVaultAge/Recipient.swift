import CaseVaultCrypto

/// Something a file key can be wrapped to: each recipient adds its stanzas to a header.
public protocol Recipient {
    func wrap(fileKey: SecureBytes) throws -> [Stanza]
}

/// Something that may unwrap a file key from a header's stanzas.
public protocol Identity {
    /// The file key, or nil when none of the stanzas is addressed to this identity. Throws
    /// `AgeError.header` when a stanza of this identity's type is malformed.
    func unwrap(stanzas: [Stanza]) throws -> SecureBytes?
}

/// The file key: 16 random bytes per file, from which the payload key and the header MAC key derive.
public enum FileKey {
    public static let byteCount = 16

    public static func generate() throws -> SecureBytes { try SecureBytes.random(count: byteCount) }

    /// The first identity that unwraps a file key from `header`, with the MAC verified.
    public static func unwrap(_ header: Header, identities: [Identity]) throws -> SecureBytes {
        guard !identities.isEmpty else { throw AgeError.noMatch("no identity was given") }
        var specific: AgeError?
        for identity in identities {
            do {
                if let fileKey = try identity.unwrap(stanzas: header.stanzas) {
                    try header.verifyMAC(fileKey: fileKey)
                    return fileKey
                }
            } catch let error as AgeError {
                // A wrong passphrase is a "no match" with a better message; keep trying the others.
                guard case .noMatch = error else { throw error }
                specific = error
            }
        }
        throw specific ?? AgeError.noMatch("none of the given identities can open this file")
    }
}

/// Wraps and unwraps a 16-byte file key with ChaCha20-Poly1305 under a derived key and the zero nonce,
/// as every native age stanza does.
enum StanzaAEAD {
    static let zeroNonce = [UInt8](repeating: 0, count: 12)

    static func seal(_ fileKey: SecureBytes, key: SecureBytes) throws -> [UInt8] {
        try ChaChaPoly(key: key).seal(fileKey, nonce: zeroNonce)
    }

    /// nil when the key is not the right one (the tag does not verify).
    static func open(_ body: [UInt8], key: SecureBytes) throws -> SecureBytes? {
        try ChaChaPoly(key: key).open(body, nonce: zeroNonce)
    }
}
