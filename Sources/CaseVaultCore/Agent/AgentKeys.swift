import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// A member's keys as their unlock agent holds them: every envelope opening and signature is a request
/// to the agent, which answers with the result and never with a key. One connection per request, so a
/// command never keeps the agent busy and several commands can use it at once; a batch of signatures
/// goes over one `AgentConnection`, which the agent ends after a short turn.
final class AgentKeys: MemberKeyAccess, @unchecked Sendable {
    // Sendable: only `let`s; every request opens its own connection or uses the caller's.
    /// What the agent says about itself; the vault checks it against the member's record.
    struct Info {
        let vaultID: String
        let member: String
        let recipient: String
        let signingPublicKeyHex: String
        /// Seconds since 1970 when the agent forgets the keys and exits.
        let expiresAt: Int
    }

    let socketPath: String
    let info: Info
    /// The member's signing key as the agent states it (checked against the member's record before use),
    /// made once: a batch checks thousands of the agent's signatures with it.
    private let signingKey: Ed25519.PublicKey?
    /// The agent answers in milliseconds; it serves one connection at a time and gives each at most
    /// `UnlockAgent.requestSeconds`, so five seconds leaves room for a slow client ahead in the queue.
    static let timeoutSeconds = 5

    private init(socketPath: String, info: Info) {
        self.socketPath = socketPath
        self.info = info
        signingKey = Hex.decode(info.signingPublicKeyHex).flatMap { try? Ed25519.PublicKey(rawRepresentation: $0) }
    }

    /// Asks the agent at `socketPath` who it is; nil when no agent listens there.
    static func connect(socketPath: String) throws -> AgentKeys? {
        guard let reply = try exchange(socketPath: socketPath, AgentMessage(.identify)) else { return nil }
        // An agent whose time is up refuses everything until it has closed its socket: as good as gone.
        if reply.kind == AgentMessage.Status.refused.rawValue { return nil }
        guard reply.fieldCount == 5, let expiresAt = Int(try reply.string(4)) else { throw AgentMessage.malformed }
        let info = Info(
            vaultID: try reply.string(0), member: try reply.string(1), recipient: try reply.string(2),
            signingPublicKeyHex: try reply.string(3), expiresAt: expiresAt)
        return AgentKeys(socketPath: socketPath, info: info)
    }

    /// Tells the agent at `socketPath` to forget its keys and exit. False when none was listening. An
    /// agent that does not answer in time (stuck, or kept busy) is ended with SIGTERM instead: locking
    /// must not depend on the agent's cooperation.
    static func lock(socketPath: String) throws -> Bool {
        guard let socket = try UnixSocket.connect(to: socketPath, timeoutSeconds: timeoutSeconds) else { return false }
        let peer = socket.peer
        do {
            try AgentMessage(.lock).send(over: socket)
            if try AgentMessage.receive(from: socket)?.kind == AgentMessage.Status.ok.rawValue { return true }
        } catch {}
        // Only ever our own user's process: the kernel recorded who listens on this socket.
        guard let peer, peer.uid == getuid(), peer.pid > 0, kill(peer.pid, SIGTERM) == 0 else {
            throw VaultError.agentUnavailable(.unresponsive(socket: socketPath))
        }
        // A stopped process (SIGSTOP, a debugger) only acts on SIGTERM once it runs again.
        kill(peer.pid, SIGCONT)
        return true
    }

    var recipient: String { info.recipient }
    var signingPublicKeyHex: String { info.signingPublicKeyHex }
    var envelopeIdentity: Identity { AgentIdentity(keys: self) }

    func sign(_ message: [UInt8]) throws -> [UInt8] {
        let signature = try signUnchecked(message)
        // A signature goes into custody and audit records: check it is the member's before it is used.
        guard isMemberSignature(signature, for: message) else { throw VaultError.agentMismatch(member: info.member) }
        return signature
    }

    /// The agent's signature of `message`, not yet checked: the caller must check it
    /// (`isMemberSignature`) before anything that holds it is committed (`DeferredSignatureChecks`).
    func signUnchecked(_ message: [UInt8], over connection: AgentConnection? = nil) throws -> [UInt8] {
        let reply = try request(AgentMessage(.sign).append(message), over: connection)
        guard reply.kind == AgentMessage.Status.ok.rawValue, reply.fieldCount == 1 else {
            throw AgentMessage.malformed
        }
        return try reply.field(0)
    }

    /// Whether `signature` is the member's registered key's signature of exactly `message`.
    func isMemberSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signingKey?.isValidSignature(signature, for: message) ?? false
    }

    /// A verification context for the member's signing key, for a thread that checks many signatures.
    func memberSignatureVerifier() -> Ed25519.Verifier? {
        signingKey.flatMap { try? Ed25519.Verifier($0) }
    }

    /// Sends one request, on `connection` or on a new one; a reply that refuses becomes an error. Status
    /// `ok` or `noMatch` is returned.
    func request(_ message: AgentMessage, over connection: AgentConnection? = nil) throws -> AgentMessage {
        guard let reply = try (connection ?? AgentConnection(socketPath: socketPath)).exchange(message) else {
            throw VaultError.agentUnavailable(.stopped(member: info.member))
        }
        if reply.kind == AgentMessage.Status.refused.rawValue {
            let category = (try? reply.string(0)) ?? ""
            let reason = (try? reply.string(1)) ?? "no reason given"
            if category == "header" { throw AgeError.header(reason) }
            throw VaultError.agentUnavailable(.refused(reason))
        }
        return reply
    }

    /// One round trip on a new connection: connect, send, read the reply. nil when nobody listens there.
    private static func exchange(socketPath: String, _ message: AgentMessage) throws -> AgentMessage? {
        try AgentConnection(socketPath: socketPath).exchange(message)
    }
}

/// The member's X25519 identity, reached through the agent: the header's X25519 stanzas go to the agent,
/// the file key comes back (the caller still checks the header MAC with it).
struct AgentIdentity: Identity {
    let keys: AgentKeys

    func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        let ours = stanzas.filter { $0.type == X25519Recipient.stanzaType }
        guard !ours.isEmpty else { return nil }
        let message = AgentMessage(.unwrap)
        for stanza in ours {
            message.append(stanza.type).append(stanza.arguments.joined(separator: " ")).append(stanza.body)
        }
        let reply = try keys.request(message)
        guard reply.kind == AgentMessage.Status.ok.rawValue else { return nil }
        let fileKey = try reply.secret(0)
        guard reply.fieldCount == 1, fileKey.count == FileKey.byteCount else { throw AgentMessage.malformed }
        return fileKey
    }
}
