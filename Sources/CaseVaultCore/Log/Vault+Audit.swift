import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

/// One entry of the log as an auditor sees it: who did what when, and the entry's hash. Reads no content.
public struct AuditEntry: Sendable, Equatable, Codable {
    public let index: Int
    public let type: String
    public let time: String
    public let author: String
    /// The entry's own fields (names, ids, hashes, role keys; never titles, file names or notes).
    public let fields: [String: String]
    /// The RFC 9162 leaf hash, hex.
    public let leafHash: String
}

/// What `audit verify` found.
public struct AuditReport: Sendable, Equatable {
    /// Entries read.
    public let size: Int
    /// The first refused entry (replay stops there: the state after an entry a writer applied and this
    /// replay refuses is unknown, so later verdicts would mean nothing), or a problem of the checkpoint;
    /// then a kept checkpoint the log does not extend, or a history that does not extend what this
    /// computer verified before.
    public internal(set) var problems: [SignedLogError]
    /// The root of the tree of all entries read, hex.
    public let root: String
    /// True when the vault's latest checkpoint is signed by a member and names this tree.
    public let checkpointMatches: Bool
    /// With a kept checkpoint: whether the log extends it (nil when none was given, or the log has a problem).
    public internal(set) var extendsKeptCheckpoint: Bool?
    /// How this user's saved verification state compares with the replay (nil when none was given or saved,
    /// or the log has a problem).
    public internal(set) var savedState: SavedStateCheck?

    init(size: Int, problems: [SignedLogError], root: String, checkpointMatches: Bool) {
        self.size = size
        self.problems = problems
        self.root = root
        self.checkpointMatches = checkpointMatches
    }
}

extension Vault {
    /// The vault's id: the first 16 bytes of the genesis entry's leaf hash, hex. A member who joins compares
    /// it once with the one the founding admin saw at `init`, out of band.
    public var fingerprint: String { vaultID }

    /// Replays the whole log from genesis, independently of anything verified before, and names the first
    /// problem with its entry: an auditor's check. Nothing is changed.
    ///
    /// - Parameters:
    ///   - kept: a checkpoint kept earlier, which the log must extend (proved from the replayed tree).
    ///   - stateFolder: this user's folder of verified state; what it saved of this vault is compared with
    ///     the replay, never used by it (`SavedStateCheck`).
    public func verifyWholeLog(consistentWith kept: [UInt8]? = nil, savedStateIn stateFolder: String? = nil) throws
        -> AuditReport
    {
        let saved = try savedVerifiedState(in: stateFolder)
        guard let replay = try verifyWholeLogInParallel(saved: saved) else {
            // The in-order replay names the first problem (or finds none, in a log with no entry): the saved
            // state and a kept checkpoint are still held against what it replayed, and an empty log is a
            // problem, never a pass.
            let (ordered, trusted) = try Self.mapDatabaseErrors {
                try database.read { db in try Self.replayWholeLog(db) }
            }
            var report = ordered
            if report.size == 0 { report.problems.append(.noLog) }
            if let rewritten = saved?.log.rewrite(shownBy: trusted) { report.problems.append(rewritten) }
            if kept != nil { report.extendsKeptCheckpoint = false }
            return report
        }
        var report = replay.report
        if let saved {
            report.savedState = try saved.cache.compare(saved.log, with: replay)
            if let rewritten = saved.log.rewrite(shownBy: replay.trusted) { report.problems.append(rewritten) }
        }
        if let kept, report.problems.isEmpty {
            do {
                try verifyConsistency(withCheckpoint: kept, trusted: replay.trusted)
                report.extendsKeptCheckpoint = true
            } catch let error as SignedLogError {
                report.problems.append(error)
                report.extendsKeptCheckpoint = false
            }
        }
        return report
    }

    /// What this user's client saved of this vault, if anything (its folder and file checked as every
    /// command checks them).
    private func savedVerifiedState(in stateFolder: String?) throws -> (cache: VerifiedCache, log: TrustedLog)? {
        guard let stateFolder, FileSystem.exists("\(stateFolder)/\(vaultID).sqlite") else { return nil }
        let cache = try VerifiedCache(folder: stateFolder, vaultID: vaultID)
        return try cache.load().map { (cache, $0) }
    }

    /// The whole log on every core, in runs of `runLength` entries; nil at the first problem.
    func verifyWholeLogInParallel(runLength: Int = 4096) throws -> AuditReport? {
        try verifyWholeLogInParallel(runLength: runLength, saved: nil)?.report
    }

    /// The same, also keeping the replayed log (its items, leaves and subjects) and, when `saved` holds a
    /// saved state, the replayed state at its size, for `VerifiedCache.compare`.
    private func verifyWholeLogInParallel(
        runLength: Int = 4096, saved: (cache: VerifiedCache, log: TrustedLog)?
    ) throws -> WholeLogReplay? {
        let savedSize = saved?.log.size ?? 0
        return try Self.mapDatabaseErrors {
            try database.read { db -> WholeLogReplay? in
                var trusted = TrustedLog()
                // Sized once for the most items the log could add: growing it as items arrive rehashed every
                // item about twenty times over a 100,000-entry log.
                // max(idx) + 1, not count(*): the primary key gives it without reading every row.
                let entries = (try Int.fetchOne(db, sql: "SELECT max(idx) FROM log_entries")).map { $0 + 1 } ?? 0
                trusted.state.items.reserveCapacity(entries)
                var checkpoints = try TrustedLog.StoredCheckpoints(db, above: 0, cosignatures: true)
                let signatures = BackgroundSignatureChecks()
                // The checking threads end however this returns (a read error included).
                defer { _ = signatures.finish() }
                let rows = try Row.fetchCursor(db, sql: "SELECT idx, note, leaf_hash FROM log_entries ORDER BY idx")
                var run: [(note: [UInt8], leafHash: [UInt8])] = []
                var atSavedSize: LogState?
                var itemsAtSavedSize: [String: LogState.Item] = [:]
                func flush() -> Bool {
                    defer { run.removeAll(keepingCapacity: true) }
                    guard !run.isEmpty else { return true }
                    guard let checks = trusted.applyRulesInParallel(run, checkpoints: &checkpoints) else {
                        return false
                    }
                    signatures.submit(checks)
                    if trusted.size == savedSize {
                        atSavedSize = trusted.state.withoutItems
                        itemsAtSavedSize = trusted.state.items
                    }
                    return true
                }
                var ok = true
                while ok, let row = try rows.next() {
                    guard (row[0] as Int) == trusted.size + run.count else {
                        ok = false
                        break
                    }
                    // Copied once from SQLite's buffer (`row[1] as Data` would copy it twice).
                    let note = try row.withUnsafeData(atIndex: 1) { [UInt8]($0 ?? Data()) }
                    let leafHash = try row.withUnsafeData(atIndex: 2) { [UInt8]($0 ?? Data()) }
                    run.append((note, leafHash))
                    // A run ends at the saved size too, so that the state there can be compared.
                    if run.count == runLength || trusted.size + run.count == savedSize { ok = flush() }
                }
                ok = ok && flush()
                // A cosignature of a size the log never reached is one that no checkpoint row holds.
                guard ok, trusted.size > 0, checkpoints.cosignatures.isEmpty else { return nil }
                // The checkpoint and the root need only the replayed state, not the signatures, so they are
                // checked while the last runs' signatures are still being verified.
                do { try trusted.catchUp(db) } catch { return nil }
                let report = AuditReport(
                    size: trusted.size, problems: [], root: Hex.encode(try trusted.frontier.root()),
                    checkpointMatches: true)
                // Without a saved state to compare, only what a kept checkpoint's proof needs is kept, and the
                // rest of the state (every item of the log) is freed on this thread while the others verify,
                // where freeing it after the wait left one core idle for a twentieth of the whole run.
                if saved == nil { trusted = trusted.proofMaterial }
                // Every background check ends before this returns, whatever was found.
                guard signatures.finish() else { return nil }
                return WholeLogReplay(
                    report: report, trusted: trusted, atSavedSize: atSavedSize, itemsAtSavedSize: itemsAtSavedSize)
            }
        }
    }

    /// Replays the log of `db` (a vault's, or a backup's opened read-only) from genesis, up to its first
    /// problem; also returns the replayed log (state and tree). The entries after a refused one are read
    /// and hashed into the tree (so the size and root are those of everything stored), not judged.
    static func replayWholeLog(_ db: Database) throws -> (report: AuditReport, trusted: TrustedLog) {
        var trusted = TrustedLog()
        var problems: [SignedLogError] = []
        var size = 0
        var checkpoints = try TrustedLog.StoredCheckpoints(db, above: 0, cosignatures: true)
        // The tree of every stored entry, the refused one and those after it included (from the first problem).
        var tree = MerkleFrontier()
        let rows = try Row.fetchCursor(db, sql: "SELECT idx, note, leaf_hash FROM log_entries ORDER BY idx")
        while let row = try rows.next() {
            let index: Int = row[0]
            let note = [UInt8](row[1] as Data)
            // Set once the entry is in `trusted`'s tree: a stored checkpoint refused after it must not hash it twice.
            var inTree = false
            if problems.isEmpty {
                do {
                    guard index == size else {
                        throw SignedLogError.entry(index: size, problem: .malformed("the entry is missing"))
                    }
                    try trusted.apply(note: note, storedLeafHash: [UInt8](row[2] as Data))
                    inTree = true
                    try trusted.checkStoredCheckpoint(&checkpoints)
                } catch let error as SignedLogError {
                    problems.append(error)
                    tree = trusted.frontier
                }
            }
            size = index + 1
            if !problems.isEmpty, !inTree, let leaf = try? Merkle.leafHash(note) { try? tree.append(leafHash: leaf) }
        }
        if problems.isEmpty { tree = trusted.frontier }
        var matches = false
        if problems.isEmpty && trusted.size > 0 {
            do {
                try trusted.catchUp(db)
                matches = true
            } catch let error as SignedLogError {
                problems.append(error)
            }
        }
        // A cosignature of a size the log never reached is one that no checkpoint row holds (judged only over a
        // log that replayed to its end).
        if problems.isEmpty {
            for (size, rows) in checkpoints.cosignatures.sorted(by: { $0.key < $1.key }) {
                problems += rows.map { .cosignature(size: size, cosigner: $0.cosigner) }
            }
        }
        let root = tree.size == 0 ? try Merkle.emptyRoot() : try tree.root()
        let report = AuditReport(
            size: size, problems: problems, root: Hex.encode(root), checkpointMatches: matches)
        return (report, trusted)
    }

    /// Checks that the vault's log extends a checkpoint kept earlier (by this client, an auditor or a
    /// court bundle): signed by a member, of this vault, and consistent with today's tree (RFC 9162 proof
    /// computed from the entries).
    public func verifyConsistency(withCheckpoint note: [UInt8]) throws {
        try verifyConsistency(withCheckpoint: note, trusted: try trusted())
    }

    /// The same, against `trusted` (the log as this process verified it, or as `audit verify` replayed it).
    func verifyConsistency(withCheckpoint note: [UInt8], trusted: TrustedLog) throws {
        let origin = TrustedLog.origin(vaultID: vaultID)
        // The checkpoint's own size says which keys signed it: a member who has since rekeyed signed it with
        // the key they held then. The size is read before the signature is checked, and the signature must
        // then hold with the keys of that size, so a false size gains nothing.
        guard let claimed = try? Checkpoint(parsing: SignedNote(parsing: note).text), claimed.size > 0 else {
            throw SignedLogError.checkpoint(.badSignature)
        }
        let size = trusted.size
        let old: Checkpoint
        do {
            // A tree longer than this log's: the keys the members hold now, as for any checkpoint beyond it.
            let keys =
                claimed.size <= UInt64(size)
                ? try memberKeys(atSize: Int(claimed.size), trusted) : try memberKeys(trusted)
            old = try Checkpoint.open(note, knownKeys: keys, origin: origin).checkpoint
        } catch {
            throw SignedLogError.checkpoint(.badSignature)
        }
        guard old.size <= UInt64(size) else {
            throw SignedLogError.rewritten(after: size, verifiedSize: Int(old.size), shownSize: size)
        }
        let root = try trusted.frontier.root()
        if old.size == UInt64(size) {
            guard ConstantTime.equals(old.rootHash, root) else {
                throw SignedLogError.rewritten(after: 0, verifiedSize: size, shownSize: size)
            }
            return
        }
        do {
            // From the verified cache's subtree roots: O(log² n) reads, not the whole log.
            let proof = try Merkle.consistencyProof(
                size1: Int(old.size), size2: size, nodeHash: trusted.nodeHashes())
            try Merkle.verifyConsistency(
                size1: old.size, size2: UInt64(size), proof: proof, root1: old.rootHash, root2: root)
        } catch {
            throw SignedLogError.rewritten(after: Int(old.size), verifiedSize: Int(old.size), shownSize: size)
        }
    }

    /// The vault's latest signed checkpoint (a C2SP signed note) with the auditors' cosignatures of it, after
    /// verifying the log. Cosignatures that do not verify with an auditor's key are left out.
    public func latestCheckpoint() throws -> [UInt8] {
        _ = try trusted()
        let (note, lines) = try read { db -> ([UInt8], [String]) in
            guard
                let row = try Row.fetchOne(db, sql: "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
            else { throw SignedLogError.checkpoint(.missing) }
            let size: Int = row["size"]
            let lines = try String.fetchAll(
                db, sql: "SELECT line FROM log_cosignatures WHERE size = ? ORDER BY cosigner", arguments: [size])
            return ([UInt8](row["note"] as Data), lines)
        }
        return try withCosignatures(note, lines: lines)
    }

    /// The checkpoint `note` with those of the stored cosignature `lines` that verify with an auditor's key.
    func withCosignatures(_ note: [UInt8], lines: [String]) throws -> [UInt8] {
        guard !lines.isEmpty else { return note }
        let signed = try SignedNote(parsing: note)
        let auditors = try cosignerKeys().map { try NoteVerifierKey($0) }
        var signatures = signed.signatures
        for line in lines {
            // `line` is stored as the note shows it, newline included.
            guard let parsed = try? SignedNote(parsing: Array((signed.text + "\n" + line).utf8)),
                let signature = parsed.signatures.first, (try? parsed.verify(knownKeys: auditors)) != nil
            else { continue }
            signatures.append(signature)
        }
        return try SignedNote(text: signed.text, signatures: signatures).bytes
    }

    /// Log entries from `start`, at most `limit`, as verified.
    public func auditEntries(from start: Int = 0, limit: Int = Int.max) throws -> [AuditEntry] {
        _ = try trusted()
        return try read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT idx, note, leaf_hash FROM log_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
                arguments: [start, limit == Int.max ? -1 : limit])
            var out: [AuditEntry] = []
            while let row = try rows.next() {
                let entry = try SignedEntry.parseStored([UInt8](row[1] as Data)).entry
                var fields: [String: String] = [:]
                for field in entry.fields {
                    fields[field.key] = fields[field.key].map { $0 + "; " + field.value } ?? field.value
                }
                out.append(
                    AuditEntry(
                        index: row[0], type: entry.type.rawValue, time: entry.time, author: entry.author,
                        fields: fields,
                        leafHash: Hex.encode([UInt8](row[2] as Data))))
            }
            return out
        }
    }
}
