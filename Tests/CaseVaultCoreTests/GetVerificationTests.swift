import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// `get` hashes the plaintext on the output writer's queue while it decrypts, and checks size and SHA-256
/// only once the temporary file is complete: whatever fails, and wherever in the stream, the output must
/// not appear (and an existing file it was to replace must stay as it was).
@Suite("get verifies before the output appears")
struct GetVerificationTests {
    /// Larger than one decryption batch (2 MiB) and than the writer's ring of 1 MiB blocks, with a partial
    /// last block, so that damage is found after blocks were already hashed and written.
    static let size = 3 * 1024 * 1024 + 17

    /// Changes an item's public record the way an attacker with the database file could.
    /// Changes an item's recorded `column` in the database and in what this client verified of the log,
    /// as if its author had signed a wrong value: the checks made while decrypting must still catch it.
    /// (Changing the database alone is caught before, by the log: see `LogAttackTests`.)
    private func alter(_ team: Team, _ itemID: String, set column: String, to value: some DatabaseValueConvertible)
        throws
    {
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS items_immutable")
            try db.execute(sql: "UPDATE items SET \(column) = ? WHERE id = ?", arguments: [value, itemID])
        }
        team.vault.trust.withLock { trusted in
            switch column {
            case "sha256": trusted.state.items[itemID]?.sha256 = String.fromDatabaseValue(value.databaseValue) ?? ""
            case "size": trusted.state.items[itemID]?.size = Int64.fromDatabaseValue(value.databaseValue) ?? -1
            default: Issue.record("alter knows no column \(column)")
            }
        }
    }

    /// The folder holds exactly `names`: no output and no temporary file besides.
    private func expectOnly(_ names: Set<String>, in team: Team, sourceLocation: SourceLocation = #_sourceLocation) {
        let left = Set(FileSystem.contents(of: team.folder.path)).subtracting(["vault"])
        #expect(left == names, sourceLocation: sourceLocation)
    }

    @Test("a wrong recorded SHA-256 on a multi-batch item fails get; an existing output stays as it was")
    func wrongDigestKeepsExistingFile() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(Self.size))
        try alter(team, item.id, set: "sha256", to: String(repeating: "0", count: 64))
        let out = try team.folder.write("out.bin", Array("keep me".utf8))
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out, overwrite: true), by: team.lawyer)
        }
        #expect(error == .integrityFailure(subject: .item(item.id), damage: .sha256Mismatch))
        #expect(try readFile(out) == Array("keep me".utf8))
        expectOnly(["out.bin"], in: team)
    }

    @Test("a wrong recorded size fails get and leaves no output", arguments: [-1, 1])
    func wrongSize(delta: Int) throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(Self.size))
        try alter(team, item.id, set: "size", to: Self.size + delta)
        let out = team.folder.file("out.bin")
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        }
        #expect(
            error
                == .integrityFailure(
                    subject: .item(item.id),
                    damage: .sizeMismatch(actual: Int64(Self.size), recorded: Int64(Self.size + delta))))
        expectOnly([], in: team)
    }

    @Test("a flipped byte in a later batch fails get after earlier batches were written; no output is left")
    func flippedByteLate() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(Self.size))
        try team.flipObjectByte(of: item, at: { $0 - 1000 }, bit: 0x80)
        let out = team.folder.file("out.bin")
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        }
        guard case .integrityFailure(.item(item.id), .age(.payload)) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        expectOnly([], in: team)
    }

    @Test("get of a multi-batch item writes every byte, and the recorded digest is what it checked")
    func multiBatchRoundTrip() throws {
        let team = try Team()
        let original = randomBytes(Self.size)
        let item = try team.addItem(original)
        let out = team.folder.file("out.bin")
        try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        #expect(try readFile(out) == original)
        expectOnly(["out.bin"], in: team)
    }

    @Test("streaming decrypt and export check the recorded SHA-256 too")
    func streamingAndExportCheckDigest() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(Self.size))
        try alter(team, item.id, set: "sha256", to: String(repeating: "a", count: 64))
        #expect(throws: VaultError.self) { try team.vault.get(item.id, to: .stream(MemorySink()), by: team.lawyer) }
        let exported = team.folder.file("out.age")
        let recipient = try X25519Identity.generate().recipient.description
        let error = try #require(throws: VaultError.self) {
            try team.vault.export(item.id, to: .recipient(recipient), output: .file(path: exported), by: team.lawyer)
        }
        #expect(error == .integrityFailure(subject: .item(item.id), damage: .sha256Mismatch))
        expectOnly([], in: team)
    }
}
