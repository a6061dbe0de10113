import CaseVaultAge
import CaseVaultCrypto

/// An unlocked member: their X25519 identity and Ed25519 signing key, in secret storage for as long as
/// the session lives, or reached through the member's unlock agent. Every operation that acts as someone takes a session; operations that read
/// content open the member's role key envelopes with it, so access is decided by what the identity can
/// decrypt, not only by what the database says.
public final class MemberSession: @unchecked Sendable {
    // Sendable: immutable after init; its keys are Sendable themselves.
    /// The member's name.
    public let member: String
    let memberID: Int64
    let vaultID: String
    let keys: MemberKeyAccess

    init(member: String, memberID: Int64, vaultID: String, keys: MemberKeyAccess) {
        self.member = member
        self.memberID = memberID
        self.vaultID = vaultID
        self.keys = keys
    }

    /// The member's age recipient (`age1…`).
    public var recipient: String { keys.recipient }

    /// The member's Ed25519 public key, hex.
    public var signingPublicKey: String { keys.signingPublicKeyHex }

    /// The member's own age identity (in this process, or a proxy to the unlock agent). Exposed for tests
    /// and for tools that need to prove what a member can open with their own key alone.
    public var identity: Identity { keys.envelopeIdentity }

    /// Whether the keys are held by an unlock agent rather than by this process.
    public var usesAgent: Bool { keys is AgentKeys }

    /// Signs `message` with the member's Ed25519 key (custody events and audit entries build on this).
    public func sign(_ message: [UInt8]) throws -> [UInt8] { try keys.sign(message) }
}
