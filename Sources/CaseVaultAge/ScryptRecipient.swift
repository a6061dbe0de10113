import CaseVaultCrypto

/// age's passphrase recipient: the file key wrapped under scrypt(passphrase). The stanza must be the only
/// one in its header, so a passphrase file can never also be opened by someone else's key.
public struct ScryptRecipient: Recipient {
    static let stanzaType = "scrypt"
    static let label = Array("age-encryption.org/v1/scrypt".utf8)
    /// age's default: 2^18 (256 MiB at r = 8), about a second on a modest laptop.
    public static let defaultWorkFactor = 18

    let passphrase: SecureBytes
    let workFactor: Int

    public init(passphrase: SecureBytes, workFactor: Int = ScryptRecipient.defaultWorkFactor) throws {
        guard (1...Scrypt.maximumLogN).contains(workFactor) else {
            throw AgeError.invalidKey("the scrypt work factor must be between 1 and \(Scrypt.maximumLogN)")
        }
        guard passphrase.count > 0 else { throw AgeError.invalidKey("the passphrase is empty") }
        self.passphrase = passphrase
        self.workFactor = workFactor
    }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let salt = try SystemRandom.bytes(count: 16)
        let key = try Scrypt.deriveKey(password: passphrase, salt: Self.label + salt, logN: workFactor)
        let body = try StanzaAEAD.seal(fileKey, key: key)
        return [
            Stanza(type: Self.stanzaType, arguments: [Base64.encodeUnpadded(salt), String(workFactor)], body: body)
        ]
    }
}

/// Opens passphrase-protected files, refusing work factors above `maximumWorkFactor` before deriving
/// anything: a hostile file must not be able to make us spend gigabytes or minutes.
public struct ScryptIdentity: Identity {
    let passphrase: SecureBytes
    let maximumWorkFactor: Int

    public init(passphrase: SecureBytes, maximumWorkFactor: Int = Scrypt.maximumLogN) {
        self.passphrase = passphrase
        self.maximumWorkFactor = min(maximumWorkFactor, Scrypt.maximumLogN)
    }

    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        guard let stanza = stanzas.first(where: { $0.type == ScryptRecipient.stanzaType }) else { return nil }
        guard stanzas.count == 1 else { throw AgeError.header("a scrypt stanza must be alone in its header") }
        guard stanza.arguments.count == 2 else { throw AgeError.header("a scrypt stanza must have two arguments") }
        let salt = try Base64.decodeCanonicalUnpadded(stanza.arguments[0])
        guard salt.count == 16 else { throw AgeError.header("a scrypt stanza's salt is not 16 bytes") }
        let factor = stanza.arguments[1]
        // Only plain decimal without leading zeros or signs: "08", "+8" or "0x8" are rejected.
        guard let first = factor.utf8.first, first != UInt8(ascii: "0"), factor.utf8.count <= 2,
            factor.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let logN = Int(factor)
        else {
            throw AgeError.header("a scrypt stanza's work factor is not a plain decimal number")
        }
        guard logN <= maximumWorkFactor else {
            throw AgeError.header("the scrypt work factor \(logN) is above the limit of \(maximumWorkFactor)")
        }
        guard stanza.body.count == FileKey.byteCount + ChaChaPoly.tagByteCount else {
            throw AgeError.header("a scrypt stanza's body is not 32 bytes")
        }
        let key = try Scrypt.deriveKey(password: passphrase, salt: ScryptRecipient.label + salt, logN: logN)
        guard let fileKey = try StanzaAEAD.open(stanza.body, key: key) else {
            throw AgeError.noMatch("the passphrase is wrong")
        }
        return fileKey
    }
}
