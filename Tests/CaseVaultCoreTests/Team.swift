import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// A passphrase as the vault takes it: in secret storage, never a String.
func secret(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

/// Runs raw SQL on a vault's (or a backup's) database as an attacker with `sqlite3` would: every trigger of
/// the schema dropped first.
func tamperAsAttacker(_ database: some DatabaseWriter, _ sql: String, _ arguments: StatementArguments = []) throws {
    try database.writeWithoutTransaction { db in
        for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
            try db.execute(sql: "DROP TRIGGER \(trigger)")
        }
        try db.execute(sql: sql, arguments: arguments)
    }
}

/// The permission bits of `path`, or nil when it does not exist.
func fileMode(_ path: String) -> mode_t? { FileSystem.mode(of: path) }

/// Key files in tests use a low scrypt work factor so that unlocking is instant.
let testWorkFactor = 8

/// A vault with a small team: ana (admin only), luis (lawyer), paula (psychologist), sofia (social-worker)
/// and mario (mentor). Passphrases are "<name> passphrase".
final class Team: @unchecked Sendable {
    let folder: TemporaryFolder
    let vault: Vault
    let admin: MemberSession
    let lawyer: MemberSession
    let psychologist: MemberSession
    let socialWorker: MemberSession
    let mentor: MemberSession

    var vaultPath: String { folder.file("vault") }

    init(configuration: VaultConfiguration = VaultConfiguration(keyWorkFactor: testWorkFactor)) throws {
        folder = try TemporaryFolder()
        vault = try Vault.create(
            at: folder.file("vault"), admin: "ana", passphrase: secret("ana passphrase"),
            configuration: configuration)
        admin = try vault.unlock("ana", passphrase: secret("ana passphrase"))
        for (name, role) in [
            ("luis", "lawyer"), ("paula", "psychologist"), ("sofia", "social-worker"), ("mario", "mentor"),
        ] {
            try vault.addMember(name: name, newPassphrase: secret("\(name) passphrase"), roles: [role], by: admin)
        }
        lawyer = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        psychologist = try vault.unlock("paula", passphrase: secret("paula passphrase"))
        socialWorker = try vault.unlock("sofia", passphrase: secret("sofia passphrase"))
        mentor = try vault.unlock("mario", passphrase: secret("mario passphrase"))
    }

    /// Creates case `id` (as the lawyer) and adds `bytes` as one item of `itemClass`.
    func addItem(
        _ bytes: [UInt8], caseID: String = "C-1", itemClass: ItemClass = .evidence, readers: [String]? = nil,
        name: String = "input.bin"
    ) throws -> Item {
        if (try? vault.showCase(caseID)) == nil { try vault.createCase(id: caseID, by: lawyer) }
        let path = try folder.write(name, bytes)
        defer { unlink(path) }
        return try vault.add(
            caseID: caseID, files: [path], options: AddOptions(itemClass: itemClass, readers: readers),
            by: lawyer)[0]
    }

    /// Damages `item`'s stored object in place: flips `bit` of the byte at `position(size of the object)`.
    func flipObjectByte(of item: Item, at position: (Int) -> Int, bit: UInt8) throws {
        let objectPath = vault.objects.path(of: item.object)
        var bytes = try readFile(objectPath)
        bytes[position(bytes.count)] ^= bit
        try Data(bytes).write(to: URL(fileURLWithPath: objectPath))
    }
}
