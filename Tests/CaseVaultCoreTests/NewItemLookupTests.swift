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
    /// A vault with one item added through one client, a second client of the same user (the item is in
    /// their shared verified cache, not in the second client's memory), and the item's signed entry.
    struct Fixture {
        /// Kept: its folder holds the vault.
        let team: Team
        let state: TemporaryFolder
        let luis: MemberSession
        let item: Item
        let fresh: Vault
        let added: LogEntry

        init() throws {
            team = try Team()
            state = try TemporaryFolder()
            let vault = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: state.path)
            luis = try vault.unlock("luis", passphrase: secret("luis passphrase"))
            try vault.createCase(id: "C-1", by: luis)
            item = try vault.add(caseID: "C-1", files: [try team.folder.write("a.bin", randomBytes(100))], by: luis)[0]
            fresh = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: state.path)
            let last = "SELECT note FROM log_entries ORDER BY idx DESC LIMIT 1"
            let note = try #require(try vault.read { db in try Data.fetchOne(db, sql: last) })
            added = try LogEntry.parse(try SignedNote(parsing: [UInt8](note)).text)
            try #require(added.type == .itemAdd && added.value("item") == item.id)
        }
    }

    @Test("an entry adding an item only the cache holds is refused; only ids the cache lacks are noted absent")
    func cachedItemStillRefused() throws {
        let f = try Fixture()
        let (luis, item, fresh, added) = (f.luis, f.item, f.fresh, f.added)
        #expect(try fresh.trusted().state.items[item.id] == nil)
        #expect(try fresh.trusted().cachedItem(item.id) != nil)
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

    @Test("when the verified cache cannot be read, an entry adding an item is refused, not taken as new")
    func unreadableCacheRefuses() throws {
        let f = try Fixture()
        let (luis, item, added) = (f.luis, f.item, f.added)
        // The item's facts gone from the cache (a damaged file): the lookup that says whether an id is new fails.
        let cache = try DatabaseQueue(path: "\(f.state.path)/\(f.fresh.vaultID).sqlite")
        try cache.write { db in try db.execute(sql: "DROP TABLE item_facts") }
        try cache.close()
        // A client started after the damage (one already running reads the cache as it was when it started).
        let fresh = try Vault.open(at: f.team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: f.state.path)
        #expect(try fresh.trusted().state.items[item.id] == nil)
        let author = LogAuthor(session: luis)
        struct RolledBack: Error {}
        #expect(throws: RolledBack.self) {
            try fresh.write { db in
                try fresh.trust.withLock { trusted in
                    var chain = try trusted.chainEnd(db)
                    // The same item again: with the cache unreadable it must not pass as new.
                    let again = try chain.extend(
                        EntryTemplate(type: .itemAdd, time: added.time, fields: added.fields), author: author)
                    #expect(throws: SignedLogError.entry(index: trusted.size, problem: .cacheUnreadable)) {
                        try trusted.appendMade(db, again, author: author)
                    }
                }
                throw RolledBack()
            }
        }
    }
}
