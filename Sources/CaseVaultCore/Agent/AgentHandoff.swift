import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

/// What `casevault unlock` gives the agent process it starts: the vault, the member, when to stop, and
/// the member's key text. It travels over a pipe into the agent's standard input, never in argv or the
/// environment, and every buffer that holds the key text is wiped.
public struct AgentHandoff: Sendable {
    let vaultID: String
    /// The member whose keys these are.
    public let member: String
    /// Seconds since 1970 when the agent forgets the keys and exits.
    public let expiresAt: Int
    /// The agent also exits after this many seconds without opening an envelope or signing.
    public let idleSeconds: Int
    let keys: MemberKeys

    /// The hand-over for an unlocked session. The session must hold its keys itself (a session that came
    /// from an agent has nothing to hand over).
    public init(session: MemberSession, expiresAt: Int, idleSeconds: Int) throws {
        guard let keys = session.keys as? MemberKeys else {
            throw VaultError.agentUnavailable(.alreadyUnlocked(member: session.member))
        }
        self.init(
            vaultID: session.vaultID, member: session.member, expiresAt: expiresAt, idleSeconds: idleSeconds,
            keys: keys)
    }

    private init(vaultID: String, member: String, expiresAt: Int, idleSeconds: Int, keys: MemberKeys) {
        self.vaultID = vaultID
        self.member = member
        self.expiresAt = expiresAt
        self.idleSeconds = idleSeconds
        self.keys = keys
    }

    /// Writes the hand-over to a pipe.
    public func write(to descriptor: Int32) throws {
        try AgentMessage(.handoff).append(vaultID).append(member).append(String(expiresAt))
            .append(String(idleSeconds)).append(secret: keys.identityText(member: member))
            .send(over: FileDescriptorStream(fd: descriptor, owned: false))
    }

    /// Reads a hand-over from a pipe (the agent's standard input).
    public static func read(from descriptor: Int32) throws -> AgentHandoff {
        guard let message = try AgentMessage.receive(from: FileDescriptorStream(fd: descriptor, owned: false)),
            message.kind == AgentMessage.Operation.handoff.rawValue, message.fieldCount == 5,
            let expiresAt = Int(try message.string(2)), let idleSeconds = Int(try message.string(3)), idleSeconds > 0
        else {
            throw VaultError.agentUnavailable(.handoffWithoutKeys)
        }
        let keys: MemberKeys
        do { keys = try MemberKeys.parse(try message.secret(4)) } catch {
            throw VaultError.agentUnavailable(.handoffNotAMemberKey)
        }
        return AgentHandoff(
            vaultID: try message.string(0), member: try message.string(1), expiresAt: expiresAt,
            idleSeconds: idleSeconds, keys: keys)
    }
}
