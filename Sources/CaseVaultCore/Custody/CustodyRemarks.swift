import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// The free text of a custody event (a reason, a note, a purpose, an authority's reference): it may
/// identify a survivor, so it is sealed to the item's reader roles as a small age file, and the signed event
/// commits to the file's SHA-256 (`private`). An auditor sees that remarks exist and that they are intact,
/// never what they say.
public struct CustodyRemarks: Sendable, Equatable, Codable {
    public var text: String
    /// For instance the prosecutor's request number (*requerimiento fiscal*).
    public var authority: String?

    public init(text: String, authority: String? = nil) {
        self.text = text
        self.authority = authority
    }
}

extension Vault {
    /// Seals `remarks` to the current keys of `item`'s reader roles (checked against the log) and stores
    /// the age file in the caller's transaction. Returns its SHA-256, hex, for the event's `private` field.
    func storeRemarks(_ db: Database, _ remarks: CustodyRemarks, readers roles: [String]) throws
        -> String
    {
        let readers = try RoleKeyring.readerRecipients(db, roles: roles)
        try checkReaderKeys(readers)
        let blob = try SealedBlob.seal(try encodeJSON(remarks), to: readers.map(\.recipient))
        let hash = try Self.sha256Hex(blob)
        try db.execute(
            sql: "INSERT INTO custody_remarks (hash, blob) VALUES (?, ?)", arguments: [hash, Data(blob)])
        return hash
    }

    /// The remarks named `hash`, opened with `identities`; nil when they cannot be opened by them. A blob
    /// whose SHA-256 is not its name is damaged (the signed event commits to the name).
    func openRemarks(_ db: Database, hash: String, item: String, identities: [Identity]) throws
        -> CustodyRemarks?
    {
        guard
            let data = try Data.fetchOne(
                db, sql: "SELECT blob FROM custody_remarks WHERE hash = ?", arguments: [hash])
        else { throw VaultError.notInLog(.item(item, field: "custody remarks \(hash)")) }
        let blob = [UInt8](data)
        guard try Self.sha256Hex(blob) == hash else {
            throw VaultError.notInLog(.item(item, field: "custody remarks \(hash)"))
        }
        guard !identities.isEmpty,
            let plain = try SealedBlob.open(blob, identities: identities, subject: .itemMetadata(item))
        else { return nil }
        return try decodeJSON(CustodyRemarks.self, plain, subject: .itemMetadata(item))
    }
}
