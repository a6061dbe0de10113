import CaseVaultCrypto
import CaseVaultLog
import Dispatch
import Synchronization

/// A batch's log entries, made in runs on a thread of their own, ahead of the transaction that stores them:
/// while the entries of one run are stored and their rules replayed, the next run is made.
///
/// A run of more than one entry is stored unsigned and ends with a signed `run.seal` by the same author,
/// whose `prev` line names the tree that ends with the run (Docs/FORMAT.md, "Runs of entries under one
/// signature"): one Ed25519 signature, and one check of it, per run instead of per item. Each entry names
/// the tree that ends with the entry before it, so a run is made in a chain (`EntryChain`). Through the unlock
/// agent, the seal's signature is checked against the member's registered key (`DeferredSignatureChecks`)
/// before the transaction commits.
final class EntryRuns: Sendable {
    /// Entries per run: each run adds one `run.seal` to the log (under 1% of a batch's entries), and a run's
    /// making overlaps the storing of the run before it.
    static let runLength = 128

    private let author: LogAuthor
    private let checks: DeferredSignatureChecks?
    private let queue = DispatchQueue(label: "casevault.log.entry-runs")
    /// Used on `queue` only, one run after another.
    private struct Chain {
        var chain: EntryChain
        /// After one run failed, the chain's end is unknown: every later run fails the same way.
        var failure: Error?
    }
    private let chain: Mutex<Chain>
    /// Runs made (or failed), oldest first, until taken.
    private let done = Mutex<[Result<[SignedEntry.Made], Error>]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// Runs that extend `chain`, made by `author` (`LogAuthor.batch`: with the agent, its signatures are
    /// queued on `checks`).
    init(chain: EntryChain, author: LogAuthor, checks: DeferredSignatureChecks?) {
        self.author = author
        self.checks = checks
        self.chain = Mutex(Chain(chain: chain))
    }

    /// Starts making `templates` as the run after those submitted before.
    func submit(_ templates: [EntryTemplate]) {
        queue.async { [self] in
            let result = Result { try make(templates) }
            done.withLock { $0.append(result) }
            ready.signal()
        }
    }

    /// The oldest submitted run's entries, in order, once made (waiting until then): one signed entry for a
    /// run of one template; otherwise the templates' entries, unsigned, then their `run.seal`.
    func take() throws -> [SignedEntry.Made] {
        ready.wait()
        return try done.withLock { $0.removeFirst() }.get()
    }

    /// Waits for every signature check; throws if one failed. Call it once every run is taken, before the
    /// commit.
    func finish() throws {
        queue.sync {}
        try checks?.finish()
    }

    private func make(_ templates: [EntryTemplate]) throws -> [SignedEntry.Made] {
        try chain.withLock { state in
            if let failure = state.failure { throw failure }
            do {
                guard templates.count > 1 else {
                    return try templates.map { try state.chain.extend($0, author: author) }
                }
                var made = try templates.map { try state.chain.extend($0, author: author, signed: false) }
                let seal = EntryTemplate(
                    type: .runSeal, time: templates[templates.count - 1].time,
                    fields: [("covers", String(templates.count))])
                made.append(try state.chain.extend(seal, author: author))
                return made
            } catch {
                state.failure = error
                throw error
            }
        }
    }
}
