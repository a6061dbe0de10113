import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// What a rewrap did.
public struct RewrapResult: Sendable, Equatable, Codable {
    public let role: String
    /// The generation everything was moved to: the role's current one.
    public let generation: Int
    /// Items and cases rewrapped by this run (a rerun after an interruption counts only what was left).
    public let items: Int
    public let cases: Int
    /// Cases made before the role had a key, to which this run added it (`case.reader`).
    public var casesAdded = 0
    /// Such cases left without the role: the member holds none of their reader roles.
    public var casesLeft = 0
}

/// Rewrapping a role after a rotation: every item header, item metadata and case title still wrapped to an
/// older generation of the role is moved to the current one by rewriting its age header only. The file key
/// does not change, so payload objects, their names and the ciphertext stay exactly as they were.
///
/// Work goes in batches, each one transaction with one signed `item.rewrap` or `case.rewrap` entry: an
/// interruption (Ctrl-C, a crash, a power cut) loses at most the batch under way, and running it again
/// picks up what is still on an older generation. The X25519 work of the items runs on every core, one batch
/// ahead of the batch being written (`Vault+RewrapItems.swift`).
extension Vault {
    /// Rewraps everything of `role` that is on an older generation to its current one, acting as `session`
    /// (a holder of the role: the old keys are needed to open the file keys). `progress` gets (done, total)
    /// after each batch of `batchSize` (one transaction and one log entry each); an error it throws stops the
    /// work after that batch. Without `includingItems`, only case titles are rewrapped (a re-encryption gives
    /// items new file keys instead).
    ///
    /// The default batch keeps a batch's signed entry (about 154 bytes per item) under the unlock agent's
    /// 64 KiB message limit (`AgentMessage.maximumSize`), through which an agent-held key signs it.
    @discardableResult
    public func rewrap(
        role: String, by session: MemberSession, batchSize: Int = 384, includingItems: Bool = true,
        progress: ((Int, Int) throws -> Void)? = nil
    ) throws -> RewrapResult {
        let batchSize = max(1, batchSize)
        try checkSession(session)
        try Names.checkRole(role)
        let plan = try read { db in
            try requireRole(db, role)
            guard let current = try RoleKeyring.currentGeneration(db, role: role) else {
                throw VaultError.roleHasNoKey(role: role)
            }
            let recipient = try X25519Recipient(current.recipient)
            try checkReaderKeys([(role, current.generation, recipient)])
            let keys = try openRoleKeys(db, session: session, roles: [role])[role] ?? [:]
            guard keys[current.generation] != nil else { throw VaultError.notPermitted(.rewrap(role: role)) }
            let older = "WHERE role = ? AND generation < ? ORDER BY 1"
            return RewrapPlan(
                generation: current.generation, recipient: recipient, keys: keys,
                items: includingItems
                    ? try String.fetchAll(
                        db, sql: "SELECT item FROM item_readers " + older, arguments: [role, current.generation])
                    : [],
                cases: try String.fetchAll(
                    db, sql: "SELECT case_id FROM case_readers " + older, arguments: [role, current.generation]),
                casesWithout: try casesWithoutReader(role))
        }
        let total = plan.items.count + plan.cases.count + plan.casesWithout.count
        var done = 0
        try progress?(0, total)
        for start in stride(from: 0, to: plan.cases.count, by: batchSize) {
            let batch = Array(plan.cases[start..<min(start + batchSize, plan.cases.count)])
            try write { db in try rewrapCases(db, batch, role: role, plan: plan, by: session) }
            done += batch.count
            try progress?(done, total)
        }
        var casesLeft = 0
        for start in stride(from: 0, to: plan.casesWithout.count, by: batchSize) {
            let batch = Array(plan.casesWithout[start..<min(start + batchSize, plan.casesWithout.count)])
            casesLeft += try write { db in try addCaseReader(db, batch, role: role, plan: plan, by: session) }
            done += batch.count
            try progress?(done, total)
        }
        try rewrapItems(plan, role: role, batchSize: batchSize, by: session) { count in
            done += count
            try progress?(done, total)
        }
        var result = RewrapResult(
            role: role, generation: plan.generation, items: plan.items.count, cases: plan.cases.count)
        result.casesAdded = plan.casesWithout.count - casesLeft
        result.casesLeft = casesLeft
        return result
    }

    /// What a rewrap run works through, fixed when it starts.
    struct RewrapPlan: Sendable {
        let generation: Int
        let recipient: X25519Recipient
        /// The session's keys of the role, by generation.
        let keys: [Int: X25519Identity]
        let items: [String]
        let cases: [String]
        /// Cases made before the role had a key, which it should read (`Vault+CaseReaders.swift`).
        let casesWithout: [String]
    }

    private func rewrapCases(
        _ db: Database, _ ids: [String], role: String, plan: RewrapPlan, by session: MemberSession
    ) throws {
        let state = try trusted().state
        var lines: [String] = []
        for id in ids {
            guard let metadata = try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = ?", arguments: [id])
            else { throw VaultError.unknownCase(id) }
            try checkCaseMetadata(id: id, metadata: Array(metadata))
            guard let readers = state.cases[id]?.readers,
                let stanza = readers.firstIndex(where: { $0.hasPrefix(role + ":") }),
                let generation = Int(readers[stanza].dropFirst(role.count + 1)), let key = plan.keys[generation]
            else { throw VaultError.notInLog(.caseRecord(id, field: "readers")) }
            let rewrapped = try Self.rewrapHeader(
                Array(metadata), stanza: stanza, key: key, to: plan.recipient, role: role, subject: .caseMetadata(id))
            try db.execute(sql: "UPDATE cases SET metadata = ? WHERE id = ?", arguments: [Data(rewrapped), id])
            try db.execute(
                sql: "UPDATE case_readers SET generation = ? WHERE case_id = ? AND role = ?",
                arguments: [plan.generation, id, role])
            lines.append("\(id) \(try Self.sha256Hex(rewrapped))")
        }
        try appendRewrap(db, .caseRewrap, "case", lines, role: role, plan: plan, by: session)
    }

    func appendRewrap(
        _ db: Database, _ type: EntryType, _ key: String, _ lines: [String], role: String, plan: RewrapPlan,
        by session: MemberSession
    ) throws {
        let now = clock.timestamp()
        try Journal.append(
            db, at: now, actor: session.member, action: type.rawValue, subject: role,
            detail: "\(lines.count) to generation \(plan.generation)")
        try appendLog(
            db, type, [("role", role), ("generation", String(plan.generation))] + lines.map { (key, $0) },
            by: LogAuthor(session: session), at: now)
    }

    /// An age file (or header alone) with stanza `stanza` (opened with `key`, of `role`) replaced by one for
    /// `recipient`, or with one for `recipient` added at the end when `keepingStanza`, and the MAC
    /// recomputed; the bytes after the header (a payload, for sealed metadata) are kept as they are.
    static func rewrapHeader(
        _ bytes: [UInt8], stanza: Int, key: X25519Identity, to recipient: X25519Recipient, role: String,
        subject: VaultError.Subject, keepingStanza: Bool = false
    ) throws -> [UInt8] {
        do {
            let (header, rest) = try Header.parse(bytes)
            guard stanza < header.stanzas.count, let fileKey = try key.unwrap(stanzas: [header.stanzas[stanza]])
            else { throw VaultError.integrityFailure(subject: subject, damage: .envelopeDoesNotOpen(role: role)) }
            let macKey = try Header.MACKey(fileKey: fileKey)
            try header.verifyMAC(macKey)
            var stanzas = header.stanzas
            stanzas.replaceSubrange(
                keepingStanza ? stanzas.endIndex..<stanzas.endIndex : stanza..<stanza + 1,
                with: try recipient.wrap(fileKey: fileKey))
            return try Header.sealed(stanzas: stanzas, macKey: macKey).encoded() + rest
        } catch let error as AgeError {
            throw VaultError.integrityFailure(subject: subject, damage: .age(error))
        }
    }
}
