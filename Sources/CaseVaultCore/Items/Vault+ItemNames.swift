import CaseVaultAge
import GRDB

extension Vault {
    /// The decrypted file names of `items`, by item id: nil for an item that `session` holds no reader role
    /// of (or whose metadata names no file). The member's role keys are opened once for the whole list,
    /// not once per item, so naming a 10,000-item case costs one envelope opening per role.
    public func fileNames(of items: [Item], as session: MemberSession) throws -> [String: String?] {
        try checkSession(session)
        return try read { db in
            let opened = try openRoleKeys(db, session: session)
            var names: [String: String?] = [:]
            for item in items {
                let record = try itemRecord(db, item.id)
                let identities = Self.identities(for: record, from: opened)
                let subject = VaultError.Subject.itemMetadata(item.id)
                guard !identities.isEmpty,
                    let plain = try SealedBlob.open(record.metadata, identities: identities, subject: subject)
                else {
                    names[item.id] = .some(nil)
                    continue
                }
                names[item.id] = try decodeJSON(ItemMetadata.self, plain, subject: subject).filename
            }
            return names
        }
    }

    /// The opened role keys that fit an item: its reader roles, at the generations it was wrapped to.
    static func identities(for record: ItemRecord, from opened: [String: [Int: X25519Identity]]) -> [Identity] {
        record.generations.sorted { $0.key < $1.key }.compactMap { opened[$0.key]?[$0.value] }
    }
}
