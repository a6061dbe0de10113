import CaseVaultCrypto
import CaseVaultLog
import Dispatch

/// Replaying a long log (an auditor's `audit verify` of 100,000 entries) on every core: parsing and hashing
/// each entry, and verifying each Ed25519 signature, are independent of the others and run in parallel; only
/// the replay of the rules, which needs the state each entry leaves, runs in order. The result is the same as
/// `apply(note:storedLeafHash:)` entry by entry; on the first problem the caller replays in order instead,
/// to name every problem exactly.
extension TrustedLog {
    /// One stored entry, parsed.
    private struct Parsed {
        var entry: LogEntry?
        var signature: SignedNote.Signature?
        var leaf: [UInt8] = []
        var ok = false
    }

    /// Fills slot `i` from exactly one iteration of `concurrentPerform`, so no two threads share a slot.
    private final class Slots<Element>: @unchecked Sendable {
        var items: [Element]
        init(_ items: [Element]) { self.items = items }
    }

    /// Applies a run of stored entries (in index order, starting at `size`). Returns false, leaving `self`
    /// unchanged, when any entry is not valid: the caller then replays them one by one.
    mutating func applyInParallel(_ rows: [(note: [UInt8], leafHash: [UInt8])]) -> Bool {
        let parsed = Slots([Parsed](repeating: Parsed(), count: rows.count))
        DispatchQueue.concurrentPerform(iterations: rows.count) { i in
            var result = Parsed()
            if let leaf = try? Merkle.leafHash(rows[i].note), ConstantTime.equals(leaf, rows[i].leafHash),
                let note = try? SignedNote(parsing: rows[i].note), note.signatures.count == 1,
                let entry = try? LogEntry.parse(note.text), note.signatures[0].keyName == entry.author
            {
                result = Parsed(entry: entry, signature: note.signatures[0], leaf: leaf, ok: true)
            }
            parsed.items[i] = result
        }
        var next = self
        // Each entry's `prev` root is checked on the parallel pass too: the frontier it must extend is
        // copied (a few hashes), and its root, about 17 hashes at 100,000 entries, computed there.
        var checks:
            [(
                key: String, name: String, text: [UInt8], signature: SignedNote.Signature, frontier: MerkleFrontier,
                previousRoot: [UInt8]
            )] = []
        checks.reserveCapacity(rows.count)
        for item in parsed.items {
            guard item.ok, let entry = item.entry, let signature = item.signature else { return false }
            do {
                let key = try next.state.signingKey(of: entry)
                guard entry.previousSize == next.size else { return false }
                let frontier = next.frontier
                if entry.type == .genesis { next.state.vaultID = Hex.encode(item.leaf.prefix(16)) }
                try next.state.apply(entry, lookup: Self.cachedLookup(cache: next.cache, size: next.size))
                try next.frontier.append(leafHash: item.leaf)
                checks.append((key, entry.author, Array(entry.body.utf8), signature, frontier, entry.previousRoot))
            } catch {
                return false
            }
        }
        // One verifier key per member, made once; then every signature on every core.
        var keys: [String: NoteVerifierKey] = [:]
        for check in checks where keys[check.name + " " + check.key] == nil {
            guard let key = try? SignedEntry.verifierKey(name: check.name, signingKeyHex: check.key) else {
                return false
            }
            keys[check.name + " " + check.key] = key
        }
        let valid = Slots([Bool](repeating: false, count: checks.count))
        let allChecks = checks
        let allKeys = keys
        DispatchQueue.concurrentPerform(iterations: allChecks.count) { i in
            let check = allChecks[i]
            guard let key = allKeys[check.name + " " + check.key], key.keyID == check.signature.keyID,
                let root = try? check.frontier.size == 0 ? Merkle.emptyRoot() : check.frontier.root(),
                ConstantTime.equals(root, check.previousRoot)
            else { return }
            valid.items[i] = key.publicKey.isValidSignature(check.signature.signature, for: check.text)
        }
        guard valid.items.allSatisfy({ $0 }) else { return false }
        self = next
        return true
    }
}
