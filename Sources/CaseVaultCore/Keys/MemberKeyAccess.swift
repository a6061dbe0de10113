import CaseVaultAge

/// What a session needs of a member's private keys: open envelopes addressed to the member and sign as
/// the member. The keys are either in this process (`MemberKeys`, after the passphrase opened the key
/// file) or held by the member's unlock agent (`AgentKeys`), which performs the operations and never
/// hands the keys out.
protocol MemberKeyAccess: AnyObject, Sendable {
    var recipient: String { get }
    var signingPublicKeyHex: String { get }
    /// Opens envelopes (age X25519 stanzas) addressed to the member.
    var envelopeIdentity: Identity { get }
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

extension MemberKeys: MemberKeyAccess {
    var envelopeIdentity: Identity { identity }

    func sign(_ message: [UInt8]) throws -> [UInt8] { try signingKey.signature(for: message) }
}
