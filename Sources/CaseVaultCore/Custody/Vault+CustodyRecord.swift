import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// The custody of every item of a case, oldest first. See `custodyDossier(items:as:)`.
    public func custodyDossier(ofCase caseID: String, as session: MemberSession?) throws
        -> CustodyDossier
    {
        try refreshTrust()
        let trusted = try trusted()
        guard trusted.state.cases[caseID] != nil else { throw VaultError.unknownCase(caseID) }
        let ids = trusted.itemIDs(inCase: caseID)
        return try custodyDossier(items: ids, as: session)
    }

    /// The custody of `ids`: each item's events from the signed log (read again and checked against the
    /// verified tree, so a row changed since verification is caught), its chain checked on its own, the
    /// signers with the entries that bind their keys, and an inclusion proof of every event against the
    /// latest signed checkpoint. With a session that holds a reader role of an item, its events' remarks
    /// are decrypted; without, nothing that could identify a survivor is returned.
    public func custodyDossier(items ids: [String], as session: MemberSession?) throws
        -> CustodyDossier
    {
        if let session { try checkSession(session) }
        try refreshTrust()
        let trusted = try trusted()
        var facts: [String: LogState.Item] = [:]
        for id in ids {
            guard let item = trusted.item(id) else { throw VaultError.unknownItem(id) }
            facts[id] = item
        }
        let checkpoint = try latestCheckpoint()
        let log = try readCustodyEntries(items: Set(ids), size: trusted.size)
        guard ConstantTime.equals(try Merkle.root(leafHashes: log.leaves), try trusted.currentRoot())
        else {
            throw SignedLogError.checkpoint(.rootMismatch)
        }
        // The checkpoint's signatures are verified once; each proof is then checked against its tree.
        let signed = try Checkpoint.open(
            checkpoint, knownKeys: try memberKeys(trusted), origin: TrustedLog.origin(vaultID: vaultID)
        ).checkpoint
        let tree = try MerkleLevels(leaves: log.leaves)
        var proofs: [String: String] = [:]
        var records: [CustodyRecord] = []
        var authors: Set<String> = []
        try read { db in
            for id in ids {
                let item = facts[id]!
                var identities: [Identity] = []
                if let session, trusted.state.isReader(session.member, of: item) {
                    identities = try readerIdentities(db, record: try itemRecord(db, id), session: session)
                }
                var events: [CustodyEvent] = []
                for (index, entry, note) in log.events[id] ?? [] {
                    let path = tree.inclusionProof(index: index)
                    try Merkle.verifyInclusion(
                        index: UInt64(index), size: signed.size, leafHash: log.leaves[index], proof: path,
                        root: signed.rootHash)
                    let text = try InclusionProofText(index: UInt64(index), proof: path, checkpointNote: checkpoint)
                    proofs[String(index)] = String(decoding: text.bytes, as: UTF8.self)
                    var fields: [String: String] = [:]
                    for field in entry.fields { fields[field.key] = field.value }
                    var remarks: CustodyRemarks?
                    if let hash = entry.value("private") {
                        remarks = try openRemarks(db, hash: hash, item: id, identities: identities)
                    }
                    authors.insert(entry.author)
                    events.append(
                        CustodyEvent(
                            entry: index,
                            kind: CustodyChainCheck.kinds[entry.type.rawValue] ?? entry.type.rawValue,
                            type: entry.type.rawValue, time: entry.time, author: entry.author, fields: fields,
                            leafHash: Hex.encode(log.leaves[index]),
                            signedEntry: String(decoding: note, as: UTF8.self),
                            remarks: remarks))
                }
                let gaps = CustodyChainCheck.problems(
                    item: id, events: (log.events[id] ?? []).map { ($0.index, $0.entry) }
                ).map(CustodyGap.init)
                let chain = trusted.state.chain(of: id, item: item)
                records.append(
                    CustodyRecord(
                        item: id, caseID: item.caseID, itemClass: item.itemClass, size: item.size,
                        sha256: item.sha256,
                        sha512: events.first?.fields["sha512"], object: item.object, custodian: chain.custodian,
                        sealed: chain.sealed, disposalRequested: chain.disposalRequested,
                        legalHold: ItemHolds(item: chain.hold, caseHold: trusted.state.caseHold(item.caseID)),
                        events: events,
                        gaps: gaps))
            }
        }
        let signers = try authors.sorted().map { name -> CustodySigner in
            guard let member = trusted.state.members[name], let bound = log.bindings[name] else {
                throw VaultError.unknownMember(name)
            }
            let raw = Hex.decode(member.signingKey) ?? []
            return CustodySigner(
                name: name, signingKey: member.signingKey,
                fingerprint: Hex.encode(try Digest.hash(.sha256, raw)),
                boundBy: bound, roles: trusted.state.roleOrder.filter { trusted.state.holds(name, $0) })
        }
        return CustodyDossier(
            vaultID: vaultID, checkpoint: String(decoding: checkpoint, as: UTF8.self),
            treeSize: trusted.size,
            records: records, signers: signers, proofs: proofs)
    }

    /// Every leaf hash of the first `size` entries (each recomputed from the entry and compared with the
    /// stored one), the custody entries of `items` in log order, and the entry that binds each member's key.
    private func readCustodyEntries(items: Set<String>, size: Int) throws -> (
        leaves: [[UInt8]], events: [String: [(index: Int, entry: LogEntry, note: [UInt8])]],
        bindings: [String: Int]
    ) {
        try read { db in
            var leaves: [[UInt8]] = []
            leaves.reserveCapacity(size)
            var events: [String: [(index: Int, entry: LogEntry, note: [UInt8])]] = [:]
            var bindings: [String: Int] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT idx, note, leaf_hash FROM log_entries WHERE idx < ? ORDER BY idx",
                arguments: [size])
            while let row = try rows.next() {
                let index: Int = row[0]
                let note = [UInt8](row[1] as Data)
                let leaf = try Merkle.leafHash(note)
                guard index == leaves.count, ConstantTime.equals(leaf, [UInt8](row[2] as Data)) else {
                    throw SignedLogError.entry(
                        index: leaves.count,
                        problem: .malformed("the entry is missing or its leaf hash is wrong"))
                }
                leaves.append(leaf)
                let entry = try LogEntry.parse(try SignedNote(parsing: note).text)
                switch entry.type {
                case .genesis: bindings[entry.author] = index
                case .memberAdd: if let name = entry.value("member") { bindings[name] = index }
                default:
                    if let item = entry.value("item"), items.contains(item),
                        CustodyChainCheck.kinds[entry.type.rawValue] != nil
                    {
                        events[item, default: []].append((index, entry, note))
                    }
                }
            }
            guard leaves.count == size else {
                throw SignedLogError.rewritten(
                    after: leaves.count, verifiedSize: size, shownSize: leaves.count)
            }
            return (leaves, events, bindings)
        }
    }
}

/// Every level of a Merkle tree, built once, so that the inclusion proofs of a thousand events cost a
/// thousand short walks instead of a thousand passes over the log. An RFC 9162 tree is the tree in which each
/// level pairs its nodes from the left and an odd last node rises unchanged; every proof taken here is
/// verified (`Merkle.verifyInclusion`) against the signed checkpoint before it is used.
private struct MerkleLevels {
    private var levels: [[[UInt8]]]

    init(leaves: [[UInt8]]) throws {
        levels = [leaves]
        while let below = levels.last, below.count > 1 {
            var level: [[UInt8]] = []
            level.reserveCapacity((below.count + 1) / 2)
            for i in stride(from: 0, to: below.count, by: 2) {
                level.append(i + 1 < below.count ? try Merkle.nodeHash(below[i], below[i + 1]) : below[i])
            }
            levels.append(level)
        }
    }

    /// The audit path of leaf `index`, from its sibling up (RFC 9162 §2.1.3.1).
    func inclusionProof(index: Int) -> [[UInt8]] {
        var proof: [[UInt8]] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            i /= 2
        }
        return proof
    }
}
