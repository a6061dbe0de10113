import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

/// What a bundle shows of the auditors' witness (Docs/FORMAT.md, "Cosignatures in a bundle"): the export
/// appends its own entries, so the bundle's checkpoint is always newer than any an auditor cosigned. The
/// bundle therefore also carries the newest cosigned checkpoint (`cosigned/checkpoint.txt`) and an RFC 9162
/// consistency proof from it to `checkpoint.txt` (`cosigned/consistency.txt`): every entry below the
/// cosigned size is then in the tree the auditors saw.
public struct BundleWitness: Sendable, Equatable, Codable {
    /// The size of the cosigned checkpoint: the entries before it are witnessed.
    public let size: Int
    /// The auditors whose cosignature of it verified with a key the bundle proves is an auditor's.
    public let cosigners: [String]
}

extension Vault {
    /// The newest checkpoint auditors cosigned, with its cosignatures that verify, and a consistency proof from
    /// it to the tree of `size` entries; nil when no checkpoint up to `size` has a cosignature.
    func newestCosignedCheckpoint(upTo size: Int) throws -> (note: [UInt8], proof: [[UInt8]])? {
        let trusted = try trusted()
        let found = try read { db -> (Int, [UInt8], [String])? in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT c.size, c.note FROM log_checkpoints c
                        WHERE c.size <= ? AND EXISTS (SELECT 1 FROM log_cosignatures s WHERE s.size = c.size)
                        ORDER BY c.size DESC LIMIT 1
                        """, arguments: [size])
            else { return nil }
            let cosigned: Int = row["size"]
            let lines = try String.fetchAll(
                db, sql: "SELECT line FROM log_cosignatures WHERE size = ? ORDER BY cosigner", arguments: [cosigned])
            return (cosigned, [UInt8](row["note"] as Data), lines)
        }
        guard let (cosigned, stored, lines) = found else { return nil }
        let note = try withCosignatures(stored, lines: lines)
        // Only cosignatures that still verify were kept; a checkpoint left with none witnesses nothing.
        guard try SignedNote(parsing: note).signatures.count > SignedNote(parsing: stored).signatures.count else {
            return nil
        }
        return (note, try Merkle.consistencyProof(size1: cosigned, size2: size, nodeHash: trusted.nodeHashes()))
    }
}

extension CustodyBundle {
    /// Checks `data/cosigned/` when the bundle has one: its checkpoint names the same vault, carries a member's
    /// signature with a key bound before its size and at least one auditor's cosignature (as in
    /// `cosignerProblems`, with the entries before its size), and the consistency proof shows the bundle's
    /// checkpoint extends it. Nil without a `cosigned/` folder.
    static func witness(
        _ data: String, origin: String, tree: Checkpoint, bindings: [(index: Int, entry: LogEntry)],
        cosigners: [NoteVerifierKey], _ problems: inout [String]
    ) -> BundleWitness? {
        let folder = data + "/cosigned"
        guard FileSystem.exists(folder) else { return nil }
        guard let bytes = try? FileSystem.readSmallRegularFile(folder + "/checkpoint.txt", limit: 1 << 20),
            let claimed = try? Checkpoint(parsing: SignedNote(parsing: bytes).text), claimed.size > 0
        else {
            problems.append("cosigned/checkpoint.txt: missing or not a checkpoint")
            return BundleWitness(size: 0, cosigners: [])
        }
        let size = Int(claimed.size)
        let before = bindings.filter { $0.index < size }
        let parties = CustodyParties(before)
        let members = Set(before.compactMap { $0.entry.keyBinding?.member }).sorted().compactMap { name in
            parties.key(of: name, at: size).flatMap {
                try? SignedEntry.verifierKey(name: name, signingKeyHex: $0.signingKey)
            }
        }
        guard let opened = try? Checkpoint.open(bytes, knownKeys: members + cosigners, origin: origin) else {
            problems.append("cosigned/checkpoint.txt: its signatures or its form do not verify")
            return BundleWitness(size: size, cosigners: [])
        }
        if !opened.verified.contains(where: { verified in members.contains { $0 == verified.key } }) {
            problems.append("cosigned/checkpoint.txt: no member's signature verifies with the key bound before it")
        }
        let cosigned = opened.verified.map(\.key).filter { $0.type == .cosignatureV1 }
        let refused = cosignerProblems(cosigned, bindings: before)
        problems += refused.map { $0.replacingOccurrences(of: "checkpoint.txt:", with: "cosigned/checkpoint.txt:") }
        let accepted = cosigned.filter { cosignerProblems([$0], bindings: before).isEmpty }.map(\.name)
        if cosigned.isEmpty { problems.append("cosigned/checkpoint.txt: no auditor's cosignature verifies") }
        let proof = (try? FileSystem.readSmallRegularFile(folder + "/consistency.txt", limit: 1 << 20)).flatMap(
            parseHashes)
        do {
            guard let proof else { throw LogError.wrongProofLength(actual: 0) }
            try Merkle.verifyConsistency(
                size1: claimed.size, size2: tree.size, proof: proof, root1: claimed.rootHash, root2: tree.rootHash)
        } catch {
            problems.append(
                "cosigned/consistency.txt: it does not prove that checkpoint.txt's tree extends the cosigned one")
            return BundleWitness(size: size, cosigners: [])
        }
        return BundleWitness(size: size, cosigners: accepted.sorted())
    }

    /// A consistency proof as the bundle writes it: one base64 hash per line, each line ending in a newline.
    static func parseHashes(_ bytes: [UInt8]) -> [[UInt8]]? {
        guard bytes.isEmpty || bytes.last == 0x0A else { return nil }
        var hashes: [[UInt8]] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            guard let hash = try? Base64.decodePadded(ascii: line), hash.count == Merkle.hashByteCount
            else { return nil }
            hashes.append(hash)
        }
        return hashes
    }
}
