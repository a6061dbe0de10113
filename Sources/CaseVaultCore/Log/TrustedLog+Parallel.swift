import CaseVaultCrypto
import CaseVaultLog
import Dispatch
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
        /// The signed note's text: the entry's body, the bytes its author signed.
        var text: [UInt8] = []
        var leaf: [UInt8] = []
        var ok = false
    }

    /// One signature to check, with the tree its entry must have been made against.
    struct SignatureCheck: Sendable {
        let key: NoteVerifierKey
        let text: [UInt8]
        let signature: SignedNote.Signature
        let frontier: MerkleFrontier
        let previousRoot: [UInt8]

        /// The signature is the author's over the text, and the entry names the tree before it.
        func holds() -> Bool {
            guard key.keyID == signature.keyID,
                let root = try? frontier.size == 0 ? Merkle.emptyRoot() : frontier.root(),
                ConstantTime.equals(root, previousRoot)
            else { return false }
            return key.publicKey.isValidSignature(signature.signature, for: text)
        }
    }

    /// Fills slot `i` from exactly one iteration of `concurrentPerform`, so no two threads share a slot.
    private final class Slots<Element>: @unchecked Sendable {
        var items: [Element]
        init(_ items: [Element]) { self.items = items }
    }

    /// Applies the rules of a run of stored entries (in index order, starting at `size`), after parsing and
    /// hashing them on every core. Returns the signatures still to check (`verifyInParallel`), or nil,
    /// leaving `self` unchanged, when any entry is not valid: the caller then replays them one by one.
    mutating func applyRulesInParallel(_ rows: [(note: [UInt8], leafHash: [UInt8])]) -> [SignatureCheck]? {
        let parsed = Slots([Parsed](repeating: Parsed(), count: rows.count))
        DispatchQueue.concurrentPerform(iterations: rows.count) { i in
            var result = Parsed()
            if let leaf = try? Merkle.leafHash(rows[i].note), ConstantTime.equals(leaf, rows[i].leafHash),
                let note = try? SignedNote(parsing: rows[i].note), note.signatures.count == 1
            {
                var text = note.text
                if let entry = try? text.withUTF8({ try LogEntry.parse(bytes: $0) }),
                    note.signatures[0].keyName == entry.author
                {
                    result = Parsed(
                        entry: entry, signature: note.signatures[0], text: Array(text.utf8), leaf: leaf, ok: true)
                }
            }
            parsed.items[i] = result
        }
        var next = self
        var checks: [SignatureCheck] = []
        checks.reserveCapacity(rows.count)
        // One verifier key per member and signing key, made once.
        var keys: [String: NoteVerifierKey] = [:]
        for item in parsed.items {
            guard item.ok, let entry = item.entry, let signature = item.signature else { return nil }
            do {
                let keyHex = try next.state.signingKey(of: entry)
                guard entry.previousSize == next.size else { return nil }
                let name = entry.author + " " + keyHex
                let key = try keys[name] ?? SignedEntry.verifierKey(name: entry.author, signingKeyHex: keyHex)
                keys[name] = key
                let frontier = next.frontier
                if entry.type == .genesis { next.state.vaultID = Hex.encode(item.leaf.prefix(16)) }
                try next.state.apply(entry, lookup: Self.cachedLookup(cache: next.cache, size: next.size))
                try next.frontier.append(leafHash: item.leaf)
                checks.append(
                    SignatureCheck(
                        key: key, text: item.text, signature: signature, frontier: frontier,
                        previousRoot: entry.previousRoot))
            } catch {
                return nil
            }
        }
        self = next
        return checks
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

/// Verifies runs of signatures in the background, one run at a time, while the caller prepares the next:
/// the rules of run k+1 are replayed on one core while run k's signatures keep the others busy.
final class BackgroundSignatureChecks: Sendable {
    private let group = DispatchGroup()
    private let allHold = Atomic<Bool>(true)

    /// Starts checking `checks` once the run before is done (at most one run waits, so memory stays flat).
    func submit(_ checks: [TrustedLog.SignatureCheck]) {
        group.wait()
        group.enter()
        DispatchQueue.global().async { [self] in
            if !TrustedLog.verifyInParallel(checks) { allHold.store(false, ordering: .relaxed) }
            group.leave()
        }
    }

    /// Waits for every run; true only if every signature of every run held.
    func finish() -> Bool {
        group.wait()
        return allHold.load(ordering: .relaxed)
    }
}
