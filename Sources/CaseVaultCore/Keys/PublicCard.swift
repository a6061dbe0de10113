import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation

/// What a member hands over so that they can be added without their private keys ever leaving their
/// machine: name, age recipient, Ed25519 public key, and a self-signature that proves the card was made
/// by the holder of the signing key (so a typo or a swapped field is caught).
///
/// On disk it is a small JSON file:
///
///     {"format":"casevault-card-v1","name":"alice","recipient":"age1…","signingKey":"<64 hex>","signature":"<128 hex>"}
public struct PublicCard: Sendable, Equatable, Codable {
    public static let format = "casevault-card-v1"

    public let format: String
    public let name: String
    /// The member's age X25519 recipient, `age1…`.
    public let recipient: String
    /// The member's Ed25519 public key, 32 bytes as lower-case hex.
    public let signingKey: String
    /// Ed25519 signature (hex) over `signedBytes`.
    public let signature: String

    /// The exact bytes the signature covers: the four fields, one per line.
    var signedBytes: [UInt8] {
        Self.signedBytes(format: format, name: name, recipient: recipient, signingKey: signingKey)
    }

    static func signedBytes(format: String, name: String, recipient: String, signingKey: String) -> [UInt8] {
        Array("\(format)\n\(name)\n\(recipient)\n\(signingKey)\n".utf8)
    }

    init(name: String, keys: MemberKeys) throws {
        let recipient = keys.recipient
        let signingKey = keys.signingPublicKeyHex
        let signed = Self.signedBytes(format: Self.format, name: name, recipient: recipient, signingKey: signingKey)
        self.init(
            format: Self.format, name: name, recipient: recipient, signingKey: signingKey,
            signature: Hex.encode(try keys.signingKey.signature(for: signed)))
    }

    private init(format: String, name: String, recipient: String, signingKey: String, signature: String) {
        self.format = format
        self.name = name
        self.recipient = recipient
        self.signingKey = signingKey
        self.signature = signature
    }

    /// Checks the format, the name, both keys and the self-signature.
    public func validate() throws {
        guard format == Self.format else {
            throw VaultError.invalidCard(.unknownFormat(String(format.prefix(40))))
        }
        try Names.checkMember(name)
        guard (try? X25519Recipient(recipient)) != nil, recipient.utf8.count == 62 else {
            throw VaultError.invalidCard(.invalidRecipient)
        }
        guard let rawKey = Hex.decode(signingKey), rawKey.count == 32,
            let key = try? Ed25519.PublicKey(rawRepresentation: rawKey),
            let rawSignature = Hex.decode(signature), key.isValidSignature(rawSignature, for: signedBytes)
        else {
            throw VaultError.invalidCard(.badSignature)
        }
    }

    /// The card as JSON text (one line, keys in a fixed order).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }

    /// Parses and validates a card.
    public static func decode(_ bytes: [UInt8]) throws -> PublicCard {
        let card: PublicCard
        do { card = try JSONDecoder().decode(PublicCard.self, from: Data(bytes)) } catch {
            throw VaultError.invalidCard(.notACard)
        }
        try card.validate()
        return card
    }

    /// Reads and validates a card file.
    public static func read(from path: String) throws -> PublicCard {
        try decode(VaultFiles.readSmallFile(path, limit: 16 * 1024, missing: .inputNotFound(path: path)))
    }

    /// Writes the card to a new file (never replacing one), 0644: a card holds nothing secret.
    public func write(to path: String) throws {
        do { try VaultFiles.writeNewFile(path, bytes: encoded(), mode: 0o644) } catch VaultError.keyFileExists(let p) {
            throw VaultError.outputExists(path: p)
        }
    }
}
