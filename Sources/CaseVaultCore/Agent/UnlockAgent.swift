import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// The unlock agent: holds one member's keys for one vault, for a limited time, and answers requests on a
/// Unix socket from processes of the same user. It opens envelopes (returns the file key of an X25519
/// stanza addressed to the member) and signs; there is no request that returns a key.
///
/// It stops, removing its socket, when its time is up, when it has been idle (no envelope opened, nothing
/// signed) for its idle time, when asked to lock, when its socket file is removed or replaced, or on
/// SIGINT/SIGTERM/SIGHUP.
public final class UnlockAgent {
    let handoff: AgentHandoff
    /// The socket this agent listens on.
    public let socketPath: String
    private var listener: UnixSocket?
    private let socketInode: ino_t
    /// An exclusive flock on `<socket>.lock`, held for the agent's whole life: only its holder may
    /// replace or remove the socket, so two agents starting at once cannot take each other's place.
    private var lockDescriptor: Int32 = -1
    private var locked = false
    /// When the agent last opened an envelope or signed (seconds since 1970); idle time counts from here.
    private var lastUsed = 0
    private var removalToken: CleanupToken?

    /// How often the agent looks at the clock and at its socket file while idle.
    public static let housekeepingMilliseconds: Int32 = 5_000

    /// Makes the folder if needed and listens at the member's socket. Throws when another agent for the
    /// member runs; a socket file left by one that died (SIGKILL, a crash) is replaced.
    public init(handoff: AgentHandoff, directory: AgentDirectory) throws {
        self.handoff = handoff
        try directory.check(create: true)
        socketPath = directory.socketPath(vaultID: handoff.vaultID, member: handoff.member)
        let lockPath = String(socketPath.dropLast(".sock".count)) + ".lock"
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lockDescriptor >= 0 else { throw VaultError.agentUnavailable(.io(.system(.open, path: lockPath))) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            throw VaultError.agentUnavailable(.alreadyRunning(member: handoff.member))
        }
        // Holding the lock, any socket file here is a dead agent's.
        unlink(socketPath)
        let listening: UnixSocket
        var info = stat()
        do {
            listening = try UnixSocket.listen(at: socketPath)
            guard lstat(socketPath, &info) == 0 else { throw IOError.system(.status, path: socketPath) }
        } catch let error as IOError {
            close(lockDescriptor)
            throw VaultError.agentUnavailable(.io(error))
        }
        listener = listening
        socketInode = info.st_ino
        removalToken = InterruptCleanup.remember(socketPath)
    }

    deinit { stopListening() }

    /// Closes the socket and removes its file (unless another agent has replaced it since), so that
    /// commands see at once that no agent runs.
    private func stopListening() {
        if listener != nil, socketStillOurs { unlink(socketPath) }
        listener = nil
        removalToken?.release()
        removalToken = nil
        // Released last: a successor may take the path only once this socket is gone.
        if lockDescriptor >= 0 { close(lockDescriptor) }
        lockDescriptor = -1
    }

    /// Serves until the agent's time is up or it is told to lock. `now` gives seconds since 1970; `tick`
    /// is how often, in milliseconds, an idle agent looks at the clock and its socket.
    public func serve(now: () -> Int = { Int(time(nil)) }, tick: Int32 = housekeepingMilliseconds) {
        defer { stopListening() }
        lastUsed = now()
        while !locked, socketStillOurs, let listener {
            let remaining = deadline - now()
            guard remaining > 0 else { break }
            let wait = Int32(min(remaining * 1000, Int(tick)))
            guard let connection = try? listener.accept(waitingAtMost: wait) else { continue }
            // A broken client must never stop the agent: errors end that one connection only.
            try? handle(connection, now: now)
        }
    }

    /// The end of its time, or of its idle time, whichever comes first.
    private var deadline: Int { min(handoff.expiresAt, lastUsed + handoff.idleSeconds) }

    private var socketStillOurs: Bool {
        var info = stat()
        return lstat(socketPath, &info) == 0 && info.st_ino == socketInode
    }

    /// How long one client may take to send its request (a real one sends it at once) and to read the
    /// reply. The agent serves one connection at a time, so this bounds how long a stuck or hostile
    /// client can keep others, `lock` included, waiting.
    static let requestSeconds = 2

    /// A client may send several requests on one connection (a batch add asks for thousands of signatures,
    /// `AgentConnection`); after this long the agent ends the connection at the next reply, so that others
    /// waiting are served in turn. `requestSeconds` still bounds the whole connection.
    static let turnMilliseconds: UInt64 = 250

    private func handle(_ connection: UnixSocket, now: () -> Int) throws {
        connection.setTimeout(seconds: 1)
        let accepted = UnixSocket.monotonicNanoseconds()
        connection.receiveDeadline = accepted + UInt64(Self.requestSeconds) * 1_000_000_000
        // The folder is already closed to others; this also turns away root-owned or foreign peers that
        // were handed a descriptor.
        guard connection.peerUserID == getuid() else { return }
        while let request = try AgentMessage.receive(from: connection) {
            // Time may have run out while the agent waited for this request.
            let reply = deadline > now() ? answer(request, now: now) : refusal("expired", "the agent's time is up")
            try reply.send(over: connection)
            let served = UnixSocket.monotonicNanoseconds() - accepted
            guard !locked, deadline > now(), served < Self.turnMilliseconds * 1_000_000 else { return }
        }
    }

    func answer(_ request: AgentMessage, now: () -> Int) -> AgentMessage {
        switch AgentMessage.Operation(rawValue: request.kind) {
        case .identify:
            return AgentMessage(.ok).append(handoff.vaultID).append(handoff.member).append(handoff.keys.recipient)
                .append(handoff.keys.signingPublicKeyHex).append(String(handoff.expiresAt))
        case .unwrap:
            // Only real use keeps the agent alive: asking who it is (as `unlock` does) does not.
            lastUsed = now()
            return unwrap(request)
        case .sign:
            guard request.fieldCount == 1, let message = try? request.field(0),
                let signature = try? handoff.keys.sign(message)
            else { return refusal("request", "a sign request needs exactly one message") }
            lastUsed = now()
            return AgentMessage(.ok).append(signature)
        case .lock:
            locked = true
            return AgentMessage(.ok)
        case .handoff, nil:
            return refusal("request", "unknown request")
        }
    }

    private func unwrap(_ request: AgentMessage) -> AgentMessage {
        let count = request.fieldCount
        guard count > 0, count % 3 == 0, count <= 3 * 64 else {
            return refusal("request", "an unwrap request needs 1 to 64 stanzas")
        }
        do {
            var stanzas: [Stanza] = []
            for start in stride(from: 0, to: count, by: 3) {
                let arguments = try request.string(start + 1)
                stanzas.append(
                    Stanza(
                        type: try request.string(start),
                        arguments: arguments.isEmpty ? [] : arguments.split(separator: " ").map(String.init),
                        body: try request.field(start + 2)))
            }
            guard let fileKey = try handoff.keys.identity.unwrap(stanzas: stanzas) else {
                return AgentMessage(.noMatch)
            }
            return AgentMessage(.ok).append(secret: fileKey)
        } catch let error as AgeError {
            return refusal("header", error.detail)
        } catch {
            return refusal("request", "the stanzas are malformed")
        }
    }

    func refusal(_ category: String, _ reason: String) -> AgentMessage {
        AgentMessage(.refused).append(category).append(reason)
    }
}
