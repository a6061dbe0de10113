import CaseVaultTestSupport
import GRDB
import Testing

@testable import CaseVaultCore

/// A commit (an item, a signed entry such as `backup.done`) must be on disk when it returns, not at the
/// next checkpoint: the vault's writer runs with `synchronous = FULL`, which GRDB's pool would otherwise
/// leave at NORMAL.
@Suite("Commit durability: the vault's writer syncs every commit")
struct CommitDurabilityTests {
    static func synchronous(of vault: Vault) throws -> Int? {
        try vault.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test("a vault made, and a vault opened, commit with synchronous FULL (2)")
    func fullSync() throws {
        let team = try Team()
        #expect(try Self.synchronous(of: team.vault) == 2)
        let reopened = try Vault.open(at: team.vaultPath)
        #expect(try Self.synchronous(of: reopened) == 2)
    }
}
