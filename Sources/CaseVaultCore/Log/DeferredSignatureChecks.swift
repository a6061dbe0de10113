import CaseVaultCrypto
import Dispatch
import Synchronization

/// Checks the unlock agent's signatures of a batch of log entries on another thread, while the next
/// entries are being signed, instead of one after another on the thread that appends them.
///
/// The entries of a batch are signed in a chain (each names the tree that includes the one before), so the
/// signing itself cannot be spread; but checking a signature costs twice as much as making it, and nothing
/// needs the check until the transaction commits. `finish()` waits for every check and throws if one
/// failed, and must be called inside the transaction, before it commits: no unchecked signature is ever
/// committed. Signatures asked for after `finish()` (the transaction's checkpoint) are checked at once.
final class DeferredSignatureChecks: Sendable {
    private let agent: AgentKeys
    /// One connection for the whole batch (used by the signing thread only, which signs one entry at a
    /// time): a new connection per signature cost more than the signature.
    private let connection: Mutex<AgentConnection>
    private let queue = DispatchQueue(label: "casevault.log.signature-checks")
    private let group = DispatchGroup()
    /// Signatures are checked in groups of this many: one wake-up of the checking thread per group rather
    /// than per signature, which left the signing thread waiting for a core behind it.
    static let groupSize = 64
    /// At most this many groups wait for their check, so memory stays flat in the batch's size.
    private let waiting = DispatchSemaphore(value: 4)
    private struct State {
        var failed = false
        var finished = false
        /// Signed, not yet handed to the checking thread.
        var pending: [(signature: [UInt8], message: [UInt8])] = []
    }
    private let state = Mutex(State())
    /// Used only by `queue`'s work items, which run one at a time (a context is not for concurrent use).
    private nonisolated(unsafe) let verifier: Ed25519.Verifier?

    init(agent: AgentKeys) {
        self.agent = agent
        connection = Mutex(AgentConnection(socketPath: agent.socketPath))
        verifier = agent.memberSignatureVerifier()
    }

    /// The agent's signature of `message`, its check queued (or, after `finish()`, done at once).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        if state.withLock({ $0.finished }) { return try agent.sign(message) }
        let signature = try connection.withLock { try agent.signUnchecked(message, over: $0) }
        let full = state.withLock { state -> [(signature: [UInt8], message: [UInt8])]? in
            state.pending.append((signature, message))
            guard state.pending.count >= Self.groupSize else { return nil }
            defer { state.pending = [] }
            return state.pending
        }
        if let full { check(full) }
        return signature
    }

    /// Queues the check of `signed` on the checking thread.
    private func check(_ signed: [(signature: [UInt8], message: [UInt8])]) {
        waiting.wait()
        queue.async(group: group) { [self] in
            for (signature, message) in signed where verifier?.isValidSignature(signature, for: message) != true {
                state.withLock { $0.failed = true }
            }
            waiting.signal()
        }
    }

    /// Whether the batch's connection to the agent is still open (tests).
    var connectionIsOpen: Bool { connection.withLock { $0.isOpen } }

    /// Waits for every queued check; throws `agentMismatch` if any signature was not the member's. Ends the
    /// batch's connection first: the transaction's checkpoint is signed on a new one, which the agent (serving
    /// one connection at a time) would otherwise answer only once this one timed out, a second later.
    func finish() throws {
        connection.withLock { $0.close() }
        let rest = state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
        if !rest.isEmpty { check(rest) }
        group.wait()
        let failed = state.withLock { state in
            state.finished = true
            return state.failed
        }
        if failed { throw VaultError.agentMismatch(member: agent.info.member) }
    }
}

extension LogAuthor {
    /// An author for a batch of entries: with the unlock agent, its signatures are checked in the background
    /// and the checks must be finished (`DeferredSignatureChecks.finish`) before the transaction commits;
    /// with keys in this process there is nothing to check, and no checks are returned.
    static func batch(_ session: MemberSession) -> (LogAuthor, DeferredSignatureChecks?) {
        guard let agent = session.keys as? AgentKeys else { return (LogAuthor(session: session), nil) }
        let checks = DeferredSignatureChecks(agent: agent)
        return (LogAuthor(session: session, sign: { try checks.sign($0) }), checks)
    }
}
