import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// Adding a case-reader role to the cases made before it had a key. A case's title is encrypted to the
/// case-reader roles that had a key when it was made; a role whose first holder came later could not read
/// those titles. A rewrap of such a role adds a stanza for its current key to each of them (one signed
/// `case.reader` entry per batch, `LogState+CaseReaders.swift`), opening the file key with whichever of the
/// case's reader roles the member holds. The title's ciphertext and its other stanzas are kept.
extension Vault {
    /// The cases `role` should read by the vault's case-reader roles but does not, by id.
    func casesWithoutReader(_ role: String) throws -> [String] {
        let state = try trusted().state
        guard state.caseReaders.contains(role) else { return [] }
        return state.cases.filter { !$0.value.readers.contains { $0.hasPrefix(role + ":") } }.keys.sorted()
    }

    /// Adds `role`'s current key to the cases `ids`, inside the caller's transaction, and logs them. Returns
    /// the cases left as they were because `session` holds none of their reader roles.
    func addCaseReader(_ db: Database, _ ids: [String], role: String, plan: RewrapPlan, by session: MemberSession)
        throws -> Int
    {
        let state = try trusted().state
        let keys = try openRoleKeys(db, session: session)
        var lines: [String] = []
        var left = 0
        for id in ids {
            guard let metadata = try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = ?", arguments: [id])
            else { throw VaultError.unknownCase(id) }
            try checkCaseMetadata(id: id, metadata: Array(metadata))
            guard let readers = state.cases[id]?.readers else {
                throw VaultError.notInLog(.caseRecord(id, field: "case"))
            }
            // A stanza the session opens: one of a reader role it holds, at the generation the case has it.
            let opener = readers.enumerated().lazy.compactMap { stanza, reader -> (Int, String, X25519Identity)? in
                let parts = reader.split(separator: ":")
                guard parts.count == 2, let generation = Int(parts[1]),
                    let key = keys[String(parts[0])]?[generation]
                else { return nil }
                return (stanza, String(parts[0]), key)
            }.first
            guard let (stanza, reader, key) = opener else {
                left += 1
                continue
            }
            let widened = try Self.rewrapHeader(
                Array(metadata), stanza: stanza, key: key, to: plan.recipient, role: reader,
                subject: .caseMetadata(id), keepingStanza: true)
            try db.execute(sql: "UPDATE cases SET metadata = ? WHERE id = ?", arguments: [Data(widened), id])
            try db.execute(
                sql: "INSERT INTO case_readers (case_id, role, generation) VALUES (?, ?, ?)",
                arguments: [id, role, plan.generation])
            lines.append("\(id) \(try Self.sha256Hex(widened))")
        }
        if !lines.isEmpty { try appendRewrap(db, .caseReader, "case", lines, role: role, plan: plan, by: session) }
        return left
    }
}
