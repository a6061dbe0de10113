import CaseVaultCrypto
import CaseVaultLog
import Dispatch
import Foundation
import Synchronization

/// Replaying a long log (an auditor's `audit verify` of 100,000 entries) on every core: parsing and hashing
/// each entry, and verifying each Ed25519 signature, are independent of the others and run in parallel; only
/// the replay of the rules, which needs the state each entry leaves, runs in order, while the signatures of
/// the run before are being verified. The result is the same as `apply(note:storedLeafHash:)` entry by
/// entry; on the first problem the caller replays in order instead, to name every problem exactly.
extension TrustedLog {
    /// One stored entry, parsed.
    private struct Parsed {
        var entry: LogEntry?
        var signature: SignedNote.Signature?
        /// The signed note's text: the entry's body, the bytes its author signed (a slice of the note).
        var text: ArraySlice<UInt8> = []
        var leaf: [UInt8] = []
        var ok = false
    }

    /// One signature to check, with the tree its entry must have been made against. An entry stored unsigned
    /// (under a `run.seal`) has no signature: only its tree is checked.
    struct SignatureCheck: Sendable {
        let key: NoteVerifierKey?
        let text: ArraySlice<UInt8>
        let signature: SignedNote.Signature?
        let frontier: MerkleFrontier
        let previousRoot: [UInt8]

        /// The signature is the author's over the text, and the entry names the tree before it.
        func holds() -> Bool {
            var verifiers = Verifiers()
            return holds(using: &verifiers)
        }

        /// The same, with the calling thread's verification contexts (one per signer, reused).
        func holds(using verifiers: inout Verifiers) -> Bool {
            guard let hasher = verifiers.hasher,
                let root = try? frontier.size == 0 ? Merkle.emptyRoot() : frontier.root(using: hasher),
                ConstantTime.equals(root, previousRoot)
            else { return false }
            guard let signature else { return true }
            guard let key, key.keyID == signature.keyID, let verifier = verifiers.verifier(for: key) else {
                return false
            }
            return verifier.isValidSignature(signature.signature, for: text)
        }
    }

    /// One thread's Ed25519 verification contexts, by signer key ID (a log has a handful of signers), and
    /// its SHA-256 context for the tree roots the entries name.
    struct Verifiers {
        private var byKey: [UInt32: (key: [UInt8], verifier: Ed25519.Verifier)] = [:]
        /// Nil only if OpenSSL could not make a context: every check then fails, as it should.
        let hasher = try? Merkle.NodeHasher()

        mutating func verifier(for key: NoteVerifierKey) -> Ed25519.Verifier? {
            let raw = key.publicKey.rawRepresentation
            if let known = byKey[key.keyID], known.key == raw { return known.verifier }
            guard let made = try? Ed25519.Verifier(key.publicKey) else { return nil }
            byKey[key.keyID] = (raw, made)
            return made
        }
    }

    /// Fills slot `i` from exactly one iteration of `concurrentPerform`, so no two threads share a slot.
    private final class Slots<Element>: @unchecked Sendable {
        var items: [Element]
        init(_ items: [Element]) { self.items = items }
    }

    /// Applies the rules of a run of stored entries (in index order, starting at `size`), after parsing and
    /// hashing them on every core. Returns the signatures still to check (`verifyInParallel`), or nil when
    /// any entry is not valid: `self` is then part-way through the run and must be discarded, and the caller
    /// replays the log from the start, one entry at a time, to name the problem. (Working on a copy instead
    /// would copy the whole replayed state once per run, which grew with the log.)
    mutating func applyRulesInParallel(_ rows: [(note: [UInt8], leafHash: [UInt8])]) -> [SignatureCheck]? {
        var none = StoredCheckpoints()
        return applyRulesInParallel(rows, checkpoints: &none)
    }

    /// The same, checking too the stored checkpoints (and cosignatures) of the sizes the run passes: their
    /// signatures and roots are returned with the entries' checks.
    mutating func applyRulesInParallel(
        _ rows: [(note: [UInt8], leafHash: [UInt8])], checkpoints: inout StoredCheckpoints
    ) -> [SignatureCheck]? {
        let parsed = Slots([Parsed](repeating: Parsed(), count: rows.count))
        DispatchQueue.concurrentPerform(iterations: rows.count) { i in
            parsed.items[i] = Self.parse(rows[i].note, storedLeafHash: rows[i].leafHash)
        }
        var checks: [SignatureCheck] = []
        checks.reserveCapacity(rows.count)
        // One verifier key per member and signing key, made once.
        var keys: [String: NoteVerifierKey] = [:]
        for item in parsed.items {
            guard item.ok, let entry = item.entry else { return nil }
            do {
                let keyHex = try state.signingKey(of: entry)
                guard entry.previousSize == size else { return nil }
                let name = entry.author + " " + keyHex
                let key = try keys[name] ?? SignedEntry.verifierKey(name: entry.author, signingKeyHex: keyHex)
                keys[name] = key
                let frontier = self.frontier
                if entry.type == .genesis { state.vaultID = Hex.encode(item.leaf.prefix(16)) }
                try checkClaimedRoot(entry)
                try state.apply(
                    entry, signed: item.signature != nil, lookup: Self.cachedLookup(cache: cache, size: size))
                try self.frontier.append(leafHash: item.leaf)
                self.index.record(leaf: item.leaf, entry: entry, index: size - 1)
                checks.append(
                    SignatureCheck(
                        key: key, text: item.text, signature: item.signature, frontier: frontier,
                        previousRoot: entry.previousRoot))
                let checkpoint = deferredCheckpointCheck(&checkpoints)
                guard checkpoint.ok else { return nil }
                if let check = checkpoint.check { checks.append(check) }
            } catch {
                return nil
            }
        }
        return checks
    }

    /// One stored note, hashed once and parsed: a signed note with one signature by the entry's author, or
    /// the body alone of an entry stored unsigned under a `run.seal`. Not `ok` when anything fails.
    private static func parse(_ note: [UInt8], storedLeafHash: [UInt8]) -> Parsed {
        guard let leaf = try? Merkle.leafHash(note), ConstantTime.equals(leaf, storedLeafHash) else { return Parsed() }
        if SignedEntry.isBodyAlone(note) {
            guard let entry = try? note.withUnsafeBufferPointer({ try LogEntry.parse(bytes: $0) }) else {
                return Parsed()
            }
            return Parsed(entry: entry, signature: nil, text: note[...], leaf: leaf, ok: true)
        }
        // The text is parsed as an entry (printable ASCII lines), so the one-signature parse accepts exactly
        // the notes the general parser would (see `SignedNote.singleSignature`).
        guard let (count, signature) = SignedNote.singleSignature(in: note),
            let entry = try? note.withUnsafeBufferPointer({
                try LogEntry.parse(bytes: UnsafeBufferPointer(rebasing: $0[..<count]))
            }),
            signature.keyName == entry.author
        else { return Parsed() }
        return Parsed(entry: entry, signature: signature, text: note[..<count], leaf: leaf, ok: true)
    }

    /// Checks `checks` on every core; true only if every one holds.
    static func verifyInParallel(_ checks: [SignatureCheck]) -> Bool {
        let failed = Atomic<Bool>(false)
        DispatchQueue.concurrentPerform(iterations: checks.count) { i in
            if !failed.load(ordering: .relaxed) && !checks[i].holds() { failed.store(true, ordering: .relaxed) }
        }
        return !failed.load(ordering: .relaxed)
    }
}

/// Verifies signatures on dedicated threads, one per core, while the caller prepares the next run: the
/// rules of run k+1 are replayed on one core while run k's signatures keep the others busy, and the caller
/// verifies too whenever it waits. (Dispatch's global queue gave the checks a single worker here, since the
/// caller's thread counted as busy while it waited: the dedicated threads keep both cores at work.)
final class BackgroundSignatureChecks: Sendable {
    private struct Queue {
        var checks: [TrustedLog.SignatureCheck] = []
        var next = 0
        var closed = false
        /// Runs submitted and not yet all taken: the caller helps while more than one waits, so that about
        /// two runs are held at a time.
        var runs = 0
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()
    private let allHold = Atomic<Bool>(true)
    private let threads: Int
    private static let batch = 32
    /// The caller's own contexts, used only from the thread that calls `submit` and `finish`.
    private nonisolated(unsafe) var callerVerifiers = TrustedLog.Verifiers()

    init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = max(1, threads)
        for _ in 0..<self.threads {
            finished.enter()
            Thread { [self] in
                var verifiers = TrustedLog.Verifiers()
                while let checks = take(waiting: true) { verify(checks, &verifiers) }
                finished.leave()
            }.start()
        }
    }

    /// Queues `checks`; while another run still waits, the caller verifies rather than queue more.
    func submit(_ checks: [TrustedLog.SignatureCheck]) {
        while queue.withLock({ $0.runs > 1 }), let some = take(waiting: false) { verify(some, &callerVerifiers) }
        queue.withLock { queue in
            queue.checks.removeFirst(queue.next)
            queue.next = 0
            queue.checks.append(contentsOf: checks)
            queue.runs += 1
        }
        for _ in 0..<threads { available.signal() }
    }

    /// Verifies what is left on this thread too and waits for the others; true only if every signature
    /// held. Safe to call more than once.
    func finish() -> Bool {
        queue.withLock { $0.closed = true }
        for _ in 0..<threads { available.signal() }
        while let some = take(waiting: false) { verify(some, &callerVerifiers) }
        finished.wait()
        return allHold.load(ordering: .relaxed)
    }

    /// The next few checks; nil when none is queued (and, when `waiting`, only once the queue is closed).
    private func take(waiting: Bool) -> [TrustedLog.SignatureCheck]? {
        while true {
            let (taken, closed) = queue.withLock { queue -> ([TrustedLog.SignatureCheck]?, Bool) in
                guard queue.next < queue.checks.count else { return (nil, queue.closed) }
                let end = min(queue.next + Self.batch, queue.checks.count)
                defer { queue.next = end }
                if end == queue.checks.count { queue.runs = 0 }
                return (Array(queue.checks[queue.next..<end]), queue.closed)
            }
            if let taken { return taken }
            if !waiting || closed { return nil }
            available.wait()
        }
    }

    private func verify(_ checks: [TrustedLog.SignatureCheck], _ verifiers: inout TrustedLog.Verifiers) {
        guard allHold.load(ordering: .relaxed) else { return }
        for check in checks where !check.holds(using: &verifiers) {
            allHold.store(false, ordering: .relaxed)
            return
        }
    }
}
