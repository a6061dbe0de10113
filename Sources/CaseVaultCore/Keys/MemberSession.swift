import CaseVaultAge
import CaseVaultCrypto

/// An unlocked member: their X25519 identity and Ed25519 signing key, in secret storage for as long as
/// the session lives. Every operation that acts as someone takes a session; operations that read
/// content open the member's role key envelopes with it, so access is decided by what the identity can
/// decrypt, not only by what the database says.
public final class MemberSession: @unchecked Sendable {
    /// The member's name.
    public let member: String
    let memberID: Int64
    let vaultID: String
    let keys: MemberKeys

    init(member: String, memberID: Int64, vaultID: String, keys: MemberKeys) {
        self.member = member
        self.memberID = memberID
        self.vaultID = vaultID
        self.keys = keys
    }

    /// The member's age recipient (`age1…`).
    public var recipient: String { keys.recipient }

    /// The member's Ed25519 public key, hex.
    public var signingPublicKey: String { keys.signingPublicKeyHex }

    /// The member's own age identity. Exposed for tests and for tools that need to prove what a member
    /// can open with their own key alone; it is secret.
    public var identity: X25519Identity { keys.identity }

    /// Signs `message` with the member's Ed25519 key (custody events and audit entries build on this).
    public func sign(_ message: [UInt8]) throws -> [UInt8] { try keys.signingKey.signature(for: message) }
}
