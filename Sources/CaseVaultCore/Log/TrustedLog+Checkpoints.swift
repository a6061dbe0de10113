import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import Foundation
import GRDB

/// Every stored checkpoint, not only the latest, is checked during replay (Docs/FORMAT.md, "Verifying a
/// log"): when the replay reaches a checkpoint's size, the state holds exactly the keys of that size and the
/// frontier gives the root, so each costs one root and one signature, never a tree recomputed from old leaves.
extension TrustedLog {
    /// The stored checkpoints above a size, ascending, and (for an auditor's whole-log check) the stored
    /// cosignatures by size.
    struct StoredCheckpoints {
        private var rows: [(size: Int, note: [UInt8])] = []
        private var next = 0
        /// Cosignatures not yet checked: size → (cosigner, line).
        private(set) var cosignatures: [Int: [(cosigner: String, line: String)]] = [:]

        init() {}

        init(_ db: Database, above size: Int, cosignatures withCosignatures: Bool = false) throws {
            rows = try Row.fetchAll(
                db, sql: "SELECT size, note FROM log_checkpoints WHERE size > ? ORDER BY size", arguments: [size]
            ).map { (size: $0[0], note: [UInt8]($0[1] as Data)) }
            guard withCosignatures else { return }
            for row in try Row.fetchAll(db, sql: "SELECT size, cosigner, line FROM log_cosignatures ORDER BY size") {
                cosignatures[row[0], default: []].append((cosigner: row[1], line: row[2]))
            }
        }

        /// The note stored for the tree of `size` entries, if any (rows below it are passed over).
        mutating func note(at size: Int) -> [UInt8]? {
            while next < rows.count, rows[next].size < size { next += 1 }
            guard next < rows.count, rows[next].size == size else { return nil }
            return rows[next].note
        }

        /// The cosignatures of the checkpoint of `size` entries, taken out of those still to check.
        mutating func takeCosignatures(at size: Int) -> [(cosigner: String, line: String)] {
            cosignatures.removeValue(forKey: size) ?? []
        }
    }

    /// A checkpoint note of this vault opened as far as it can be without keys: exactly one signature line,
    /// and a body of the origin, size and root lines only, with this vault's origin.
    func parseCheckpoint(_ bytes: [UInt8]) throws(SignedLogError.CheckpointProblem) -> (
        note: SignedNote, checkpoint: Checkpoint
    ) {
        guard let vaultID = state.vaultID, let note = try? SignedNote(parsing: bytes),
            let checkpoint = try? Checkpoint(parsing: note.text)
        else { throw .badSignature }
        // Another vault's checkpoint is no checkpoint of this one, however well it is signed.
        guard checkpoint.origin == Self.origin(vaultID: vaultID) else { throw .badSignature }
        guard note.signatures.count == 1, checkpoint.extensions.isEmpty else { throw .malformed }
        return (note, checkpoint)
    }

    /// Checks a checkpoint note against the log as replayed so far: signed by a member who is not removed, with
    /// the key the state holds for them; of the tree of `size` entries (`rowSize`, where it was stored, must
    /// be that size too); signed by the author of the last entry (when the state knows who that was: a state
    /// saved before the rule does not); and with the frontier's root.
    func checkCheckpoint(
        _ bytes: [UInt8], rowSize: Int
    ) throws(SignedLogError.CheckpointProblem) -> Checkpoint {
        let (note, checkpoint) = try parseCheckpoint(bytes)
        guard state.openRun == nil else { throw .insideRun }
        let signer = note.signatures[0].keyName
        guard let member = state.members[signer], !member.removed,
            let key = try? SignedEntry.verifierKey(name: signer, signingKeyHex: member.signingKey),
            (try? note.verify(knownKeys: [key]))?.count == 1
        else { throw .badSignature }
        guard checkpoint.size == UInt64(size), rowSize == size else {
            throw .sizeMismatch(signed: Int(clamping: checkpoint.size), entries: size)
        }
        if let expected = state.lastAuthor, signer != expected { throw .wrongSigner(expected: expected) }
        guard let root = try? currentRoot(), ConstantTime.equals(checkpoint.rootHash, root) else {
            throw .rootMismatch
        }
        return checkpoint
    }

    /// Checks the stored checkpoint of the tree as it is now, if there is one, and (for an auditor) its
    /// cosignatures.
    func checkStoredCheckpoint(_ stored: inout StoredCheckpoints) throws(SignedLogError) {
        let cosignatures = stored.takeCosignatures(at: size)
        guard let bytes = stored.note(at: size) else {
            if let first = cosignatures.first { throw .cosignature(size: size, cosigner: first.cosigner) }
            return
        }
        let checkpoint: Checkpoint
        do { checkpoint = try checkCheckpoint(bytes, rowSize: size) } catch {
            throw .storedCheckpoint(size: size, problem: error)
        }
        for (cosigner, line) in cosignatures where !cosignatureHolds(line, by: cosigner, on: checkpoint) {
            throw .cosignature(size: size, cosigner: cosigner)
        }
    }

    /// A stored cosignature line holds when its cosigner holds `auditor` at this size (they cosign the tree
    /// they verified as an auditor) and the line is theirs, with the signing key they held at this size,
    /// over this checkpoint.
    func cosignatureHolds(_ line: String, by cosigner: String, on checkpoint: Checkpoint) -> Bool {
        guard state.holds(cosigner, Vault.auditorRoleName), let member = state.members[cosigner], !member.removed,
            let raw = Hex.decode(member.signingKey), let publicKey = try? Ed25519.PublicKey(rawRepresentation: raw),
            let key = try? NoteVerifierKey(name: cosigner, publicKey: publicKey, type: .cosignatureV1),
            let parsed = try? SignedNote(parsing: Array((checkpoint.text + "\n" + line).utf8)),
            parsed.signatures.count == 1, let cosignature = try? Cosignature(parsed.signatures[0])
        else { return false }
        return cosignature.isValid(for: checkpoint, key: key)
    }
}

extension TrustedLog {
    /// For the parallel replay: the stored checkpoint of the tree as it is now, if there is one, checked as
    /// `checkCheckpoint` does except for its signature and root, returned as a check to run with the entries'
    /// signatures; its cosignatures, which are few, are checked here. `ok` is false when anything fails.
    func deferredCheckpointCheck(_ stored: inout StoredCheckpoints) -> (ok: Bool, check: SignatureCheck?) {
        let cosignatures = stored.takeCosignatures(at: size)
        guard let bytes = stored.note(at: size) else { return (cosignatures.isEmpty, nil) }
        guard state.openRun == nil, let (note, checkpoint) = try? parseCheckpoint(bytes),
            checkpoint.size == UInt64(size),
            let signer = state.lastAuthor, note.signatures[0].keyName == signer,
            let member = state.members[signer], !member.removed,
            let key = try? SignedEntry.verifierKey(name: signer, signingKeyHex: member.signingKey),
            cosignatures.allSatisfy({ cosignatureHolds($0.line, by: $0.cosigner, on: checkpoint) })
        else { return (false, nil) }
        let check = SignatureCheck(
            key: key, text: Array(note.text.utf8)[...], signature: note.signatures[0], frontier: frontier,
            previousRoot: checkpoint.rootHash)
        return (true, check)
    }
}

extension TrustedLog {
    /// The root of the first `count` entries (`count ≤ size`): the frontier's when it is the whole tree,
    /// otherwise from the aligned subtrees of `count`'s binary decomposition (the frontier that tree had),
    /// read from the verified cache or hashed from the leaves verified since.
    func root(ofFirst count: Int) throws -> [UInt8] {
        if count == size { return try currentRoot() }
        guard count > 0, count < size else { throw SignedLogError.entry(index: size, problem: .wrongPrevious) }
        let nodes = nodeHashes()
        var subtrees: [[UInt8]] = []
        var start = 0
        for level in stride(from: Int.bitWidth - 1 - count.leadingZeroBitCount, through: 0, by: -1)
        where count & (1 << level) != 0 {
            subtrees.append(try nodes(level, start >> level))
            start += 1 << level
        }
        return try MerkleFrontier(size: UInt64(count), hashes: subtrees).root()
    }

    /// What an entry claims about the log's own tree, checked before it is applied: a `backup.done`'s `root`
    /// must be the root of its first `size` entries. (Its other fields are the replay rules' to check.)
    func checkClaimedRoot(_ entry: LogEntry) throws(LogProblem) {
        guard entry.type == .backupDone, let held = entry.value("size").flatMap({ Int($0) }), held >= 1,
            held <= size, let claimed = entry.value("root").flatMap({ try? CaseVaultAge.Base64.decodePadded($0) })
        else { return }
        guard let root = try? root(ofFirst: held), ConstantTime.equals(root, claimed) else {
            throw .inconsistent("the backup root is not the root of the log's first \(held) entries")
        }
    }
}
