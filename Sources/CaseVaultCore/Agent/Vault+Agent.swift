import CaseVaultAge
import CaseVaultCrypto

#if canImport(Glibc)
    import Glibc
#endif

extension Vault {
    /// The socket where `member`'s unlock agent for this vault listens.
    public func agentSocketPath(for member: String, in directory: AgentDirectory) -> String {
        directory.socketPath(vaultID: vaultID, member: member)
    }

    /// A session backed by `member`'s running unlock agent, or nil when none runs. The agent's keys must be
    /// the member's registered ones, as with a key file; a removed member gets no session.
    public func sessionFromAgent(_ member: String, in directory: AgentDirectory) throws -> MemberSession? {
        guard try directory.check(create: false) else { return nil }
        let path = agentSocketPath(for: member, in: directory)
        guard let keys = try AgentKeys.connect(socketPath: path) else { return nil }
        let mismatch = VaultError.agentMismatch(member: member)
        let session = try session(try memberRecord(named: member), keys: keys, mismatch: mismatch)
        guard keys.info.vaultID == vaultID, keys.info.member == member else { throw mismatch }
        return session
    }

    /// Tells `member`'s agent for this vault to forget the keys. False when none was running.
    @discardableResult
    public func lockAgent(of member: String, in directory: AgentDirectory) throws -> Bool {
        guard try directory.check(create: false) else { return false }
        return try AgentKeys.lock(socketPath: agentSocketPath(for: member, in: directory))
    }

    /// Tells every agent in `directory`, of any vault and member, to forget its keys; one that does not
    /// answer is ended with SIGTERM. Every socket is tried even when some fail. Returns how many agents
    /// were stopped and the sockets that could not be; sockets nobody listens on any more are removed.
    public static func lockAllAgents(in directory: AgentDirectory) throws -> (locked: Int, failed: [String]) {
        var locked = 0
        var failed: [String] = []
        for socket in try directory.sockets() {
            do {
                if try AgentKeys.lock(socketPath: socket) { locked += 1 } else { unlink(socket) }
            } catch {
                failed.append(socket)
            }
        }
        return (locked, failed)
    }
}

extension MemberSession {
    /// When the agent behind this session forgets the keys (seconds since 1970); nil for a session that
    /// holds its keys itself.
    public var agentExpiresAt: Int? { (keys as? AgentKeys)?.info.expiresAt }
}
