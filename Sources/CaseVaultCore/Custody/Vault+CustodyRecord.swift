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
        let log = try readCustodyEntries(items: ids, trusted: trusted)
        let nodes = trusted.nodeHashes()
        guard ConstantTime.equals(try Merkle.root(size: trusted.size, nodeHash: nodes), try trusted.currentRoot())
        else {
            throw SignedLogError.checkpoint(.rootMismatch)
        }
        // The checkpoint's signatures are verified once; each proof is then checked against its tree.
        let signed = try Checkpoint.open(
            checkpoint, knownKeys: try memberKeys(trusted), origin: TrustedLog.origin(vaultID: vaultID)
        ).checkpoint
        var proofs: [String: String] = [:]
        var records: [CustodyRecord] = []
        var authors: Set<String> = []
        let parties = try read { db in try partyEntries(db, trusted) }
        try read { db in
            // The session's role keys are opened once, and only when an event has remarks to decrypt: a
            // report of 1,000 items opened them once per item (a quarter of its time, profiled).
            var roleKeys: [String: [Int: X25519Identity]]?
            for id in ids {
                let item = facts[id]!
                var identities: [Identity] = []
                if let session, trusted.state.isReader(session.member, of: item),
                    (log[id] ?? []).contains(where: { $0.entry.value("private") != nil })
                {
                    let opened = try roleKeys ?? openRoleKeys(db, session: session)
                    roleKeys = opened
                    identities = Self.identities(for: try itemRecord(db, id), from: opened)
                }
                var events: [CustodyEvent] = []
                for (index, entry, note) in log[id] ?? [] {
                    let leaf = try nodes(0, index)
                    let path = try Merkle.inclusionProof(index: index, size: Int(signed.size), nodeHash: nodes)
                    try Merkle.verifyInclusion(
                        index: UInt64(index), size: signed.size, leafHash: leaf, proof: path, root: signed.rootHash)
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
                            leafHash: Hex.encode(leaf),
                            signedEntry: String(decoding: note, as: UTF8.self),
                            remarks: remarks))
                }
                let resolved = parties.resolve((log[id] ?? []).map { ($0.index, $0.entry) })
                for position in events.indices {
                    let found = resolved[events[position].entry]
                    (events[position].actor, events[position].from, events[position].to) =
                        (found?.actor, found?.from, found?.to)
                }
                let gaps = CustodyChainCheck.problems(
                    item: id, events: (log[id] ?? []).map { ($0.index, $0.entry) }
                ).map(CustodyGap.init)
                let chain = trusted.state.chain(of: id, item: item)
                let holder = parties.holder(after: (log[id] ?? []).map { ($0.index, $0.entry) }, at: trusted.size)
                records.append(
                    CustodyRecord(
                        item: id, caseID: item.caseID, itemClass: item.itemClass, size: item.size,
                        sha256: item.sha256,
                        sha512: events.first?.fields["sha512"], object: item.object, custodian: chain.custodian,
                        sealed: chain.sealed, disposalRequested: chain.disposalRequested,
                        legalHold: ItemHolds(item: chain.hold, caseHold: trusted.state.caseHold(item.caseID)),
                        events: events,
                        gaps: gaps, holder: holder))
            }
        }
        let signers = try authors.sorted().map { name -> CustodySigner in
            guard let member = trusted.state.members[name],
                let bound = trusted.entries(about: LogIndex.memberSubject(name)).last
            else {
                throw VaultError.unknownMember(name)
            }
            return CustodySigner(
                name: name, signingKey: member.signingKey,
                fingerprint: CustodyParties.fingerprint(ofSigningKey: member.signingKey) ?? "",
                boundBy: bound, roles: trusted.state.roleOrder.filter { trusted.state.holds(name, $0) },
                keys: parties.keyHistory(of: name))
        }
        return CustodyDossier(
            vaultID: vaultID, checkpoint: String(decoding: checkpoint, as: UTF8.self),
            treeSize: trusted.size,
            records: records, signers: signers, proofs: proofs)
    }

    /// The custody entries of `items` in log order, found through the verified index (`LogIndex`) and read
    /// from the vault: each entry's leaf hash is recomputed and must be the verified one, so a row changed
    /// since verification is caught.
    private func readCustodyEntries(items: [String], trusted: TrustedLog) throws
        -> [String: [(index: Int, entry: LogEntry, note: [UInt8])]]
    {
        try read { db in
            var events: [String: [(index: Int, entry: LogEntry, note: [UInt8])]] = [:]
            for item in items {
                for index in trusted.entries(about: LogIndex.itemSubject(item)) {
                    let (entry, note) = try verifiedEntry(db, at: index, trusted: trusted)
                    events[item, default: []].append((index, entry, note))
                }
            }
            return events
        }
    }

    /// Entry `index` as the vault stores it, after checking that it is the entry this client verified.
    func verifiedEntry(_ db: Database, at index: Int, trusted: TrustedLog) throws -> (LogEntry, [UInt8]) {
        let stored = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT note FROM log_entries WHERE idx = ?"), arguments: [index])
        guard let stored, index < trusted.size else {
            throw SignedLogError.rewritten(after: index, verifiedSize: trusted.size, shownSize: index)
        }
        let note = [UInt8](stored)
        guard ConstantTime.equals(try Merkle.leafHash(note), try trusted.leafHash(index)) else {
            throw SignedLogError.entry(index: index, problem: .malformed("the entry is not the one verified"))
        }
        return (try SignedEntry.parseStored(note).entry, note)
    }
}
