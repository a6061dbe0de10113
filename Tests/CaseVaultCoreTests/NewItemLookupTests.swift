import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// A batch add asks the user's verified cache once per run of entries whether it holds any of the run's new
/// item ids (`TrustedLog.noteNewItems`), instead of once per entry; replay must still refuse an entry that
/// adds an item the cache holds.
@Suite("new item ids looked up in the verified cache once per run")
struct NewItemLookupTests {
    @Test("an entry adding an item only the cache holds is refused; only ids the cache lacks are noted absent")
    func cachedItemStillRefused() throws {
        let team = try Team()
        let state = try TemporaryFolder()
        let vault = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: state.path)
        let luis = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        try vault.createCase(id: "C-1", by: luis)
        let item = try vault.add(caseID: "C-1", files: [try team.folder.write("a.bin", randomBytes(100))], by: luis)[0]
        // A new client of the same user: the item is in its verified cache, not in its memory.
        let fresh = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: state.path)
        #expect(try fresh.trusted().state.items[item.id] == nil)
        #expect(try fresh.trusted().cachedItem(item.id) != nil)

        let last = "SELECT note FROM log_entries ORDER BY idx DESC LIMIT 1"
        let note = try #require(try vault.read { db in try Data.fetchOne(db, sql: last) })
        let added = try LogEntry.parse(try SignedNote(parsing: [UInt8](note)).text)
        try #require(added.type == .itemAdd && added.value("item") == item.id)
        let author = LogAuthor(session: luis)
        let unknown = "it_00000000000000aa"
        struct RolledBack: Error {}
        #expect(throws: RolledBack.self) {
            try fresh.write { db in
                try fresh.trust.withLock { trusted in
                    var chain = try trusted.chainEnd(db)
                    trusted.noteNewItems([item.id, unknown])
                    #expect(trusted.absentFromCache == [unknown])
                    // The same item again, as the next entry of the run: its id is not new.
                    let again = try chain.extend(
                        EntryTemplate(type: .itemAdd, time: added.time, fields: added.fields), author: author)
                    #expect {
                        try trusted.appendMade(db, again, author: author)
                    } throws: { error in
                        guard case .entry(_, .inconsistent(let reason)) = error as? SignedLogError else { return false }
                        return reason.contains("exists")
                    }
                    trusted.forgetNewItems()
                    #expect(trusted.absentFromCache.isEmpty)
                }
                throw RolledBack()
            }
        }
    }
}
