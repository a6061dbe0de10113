import CaseVaultCrypto
import CaseVaultLog
import Dispatch
import Synchronization

/// A batch's log entries, made and signed in runs on a thread of their own, ahead of the transaction that
/// stores them: while the entries of one run are stored and their rules replayed, the next run is signed.
///
/// Each entry names the tree that ends with the entry before it, so the entries of a batch are signed in a
/// chain. Through the unlock agent (another process), one round trip per entry set the pace of a whole
/// batch add; here the agent makes, signs and chains a run of entries per request
/// (`UnlockAgent.signEntries`), and this side makes the same entries from the same templates with the
/// agent's signatures (`EntryChain`). Every signature is checked against the member's registered key
/// (`DeferredSignatureChecks`) before the transaction commits. With keys in this process, the runs are
/// signed here, on this thread.
final class EntryRuns: Sendable {
    /// Entries per run: a run's signing (through the agent, one or two requests within its 64 KiB frame)
    /// overlaps the storing of the run before it.
    static let runLength = 80

    private let author: LogAuthor
    private let agent: AgentKeys?
    private let checks: DeferredSignatureChecks?
    private let queue = DispatchQueue(label: "casevault.log.entry-runs")
    /// Used on `queue` only, one run after another.
    private struct Chain {
        var chain: EntryChain
        var connection: AgentConnection?
        /// After one run failed, the chain's end is unknown: every later run fails the same way.
        var failure: Error?
    }
    private let chain: Mutex<Chain>
    /// Runs signed (or failed), oldest first, until taken.
    private let done = Mutex<[Result<[SignedEntry.Made], Error>]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// Runs that extend `chain`, made by `author` (`LogAuthor.batch`: with the agent, its signatures are
    /// queued on `checks`).
    init(chain: EntryChain, author: LogAuthor, session: MemberSession, checks: DeferredSignatureChecks?) {
        self.author = author
        let agent = session.keys as? AgentKeys
        self.agent = agent
        self.checks = checks
        self.chain = Mutex(
            Chain(chain: chain, connection: agent.map { AgentConnection(socketPath: $0.socketPath) }))
    }

    /// Starts signing `templates` as the run after those submitted before.
    func submit(_ templates: [EntryTemplate]) {
        queue.async { [self] in
            let result = Result { try sign(templates) }
            done.withLock { $0.append(result) }
            ready.signal()
        }
    }

    /// The oldest submitted run's entries, in order, once signed (waiting until then).
    func take() throws -> [SignedEntry.Made] {
        ready.wait()
        return try done.withLock { $0.removeFirst() }.get()
    }

    /// Ends the batch's connection to the agent (it serves one connection at a time: the transaction's
    /// checkpoint is signed on another) and waits for every signature check; throws if one failed. Call it
    /// once every run is taken, before the commit.
    func finish() throws {
        queue.sync { chain.withLock { $0.connection = nil } }
        try checks?.finish()
    }

    private func sign(_ templates: [EntryTemplate]) throws -> [SignedEntry.Made] {
        try chain.withLock { state in
            if let failure = state.failure { throw failure }
            do {
                guard let agent else { return try templates.map { try state.chain.extend($0, author: author) } }
                var made: [SignedEntry.Made] = []
                var start = 0
                while start < templates.count {
                    let end = Self.requestEnd(templates, from: start, member: agent.info.member, chain: state.chain)
                    made += try signByAgent(agent, templates[start..<end], state: &state)
                    start = end
                }
                return made
            } catch {
                state.failure = error
                throw error
            }
        }
    }

    /// One request to the agent for `templates`; the entries made with its signatures, whose checks are queued.
    private func signByAgent(_ agent: AgentKeys, _ templates: ArraySlice<EntryTemplate>, state: inout Chain) throws
        -> [SignedEntry.Made]
    {
        let request = AgentMessage.entryRun(
            vaultID: state.chain.vaultID, member: agent.info.member, frontier: state.chain.frontier,
            templates: templates)
        let reply = try agent.request(request, over: state.connection)
        guard reply.kind == AgentMessage.Status.ok.rawValue, reply.fieldCount == templates.count else {
            throw AgentMessage.malformed
        }
        var made: [SignedEntry.Made] = []
        var signed: [(signature: [UInt8], message: [UInt8])] = []
        for (offset, template) in templates.enumerated() {
            let signature = try reply.field(offset)
            let entry = try state.chain.extend(template, author: author, signature: signature)
            signed.append((signature, Array(entry.entry.body.utf8)))
            made.append(entry)
        }
        checks?.queue(signed)
        return made
    }

    /// Where the request that starts at `start` ends: within the agent's entry count and frame size (at
    /// least one entry; one too large for a frame is refused by the agent).
    private static func requestEnd(_ templates: [EntryTemplate], from start: Int, member: String, chain: EntryChain)
        -> Int
    {
        var bytes = AgentMessage.runPrefixCount(vaultID: chain.vaultID, member: member, frontier: chain.frontier)
        var end = start
        while end < templates.count, end - start < AgentMessage.maximumRunEntries {
            bytes += AgentMessage.encodedCount(templates[end])
            guard bytes <= AgentMessage.maximumSize || end == start else { break }
            end += 1
        }
        return end
    }
}
