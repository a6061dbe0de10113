import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A backup's database must never be in place before the objects it names are on disk, and a backup does
/// this without a `syncfs` (which waits for every other writer of the file system): these tests follow the
/// order of fsyncs and names (`DurabilityTrace`), so that dropping a sync, or syncing what is known to be on
/// disk already, fails them.
@Suite("Backup durability: objects on disk before the database that names them, no syncfs")
struct BackupDurabilityTests {
    /// The steps `body` made durable, in order (the helper of `DurabilityTests`).
    func traced(_ body: () throws -> Void) throws -> [DurabilityTrace.Event] { try DurabilityTests().traced(body) }

    /// The index of the rename that puts the backup's database in place.
    func databaseRenamed(_ events: [DurabilityTrace.Event], in dest: String) throws -> Int {
        try #require(events.firstIndex(of: .renamed("\(dest)/\(Vault.databaseName)")), "\(events)")
    }

    @Test("objects copied: each named, then its folder synced, then the database copy synced and renamed")
    func copiedObjects() throws {
        let team = try Team()
        let items = try [10, 100_000].map { try team.addItem(randomBytes($0)) }
        let dest = BackupTests.destination(team)
        let events = try traced { _ = try team.vault.backup(to: dest, by: team.lawyer) }
        let renamed = try databaseRenamed(events, in: dest)
        for item in items {
            let path = ObjectFiles.path(item.object, in: dest)
            let named = try #require(events.firstIndex(of: .linked(path)), "\(events)")
            let folderSynced = try #require(
                events[named...].firstIndex(of: .folderSynced(FileSystem.folder(of: path))), "\(events)")
            #expect(folderSynced < renamed)
        }
        let copyPrefix = "\(dest)/tmp/\(Vault.databaseName)."
        let copySynced = try #require(
            events.firstIndex { if case .fileSynced(let path?) = $0 { path.hasPrefix(copyPrefix) } else { false } },
            "\(events)")
        #expect(copySynced < renamed)
        #expect(!events.contains { if case .fileSystemSynced = $0 { true } else { false } }, "\(events)")
    }

    @Test("an object left in the folder by a killed backup is synced, with its folders, before the database")
    func leftoverObject() throws {
        let team = try Team()
        let first = try team.addItem(randomBytes(1000))
        let dest = BackupTests.destination(team)
        _ = try team.vault.backup(to: dest, by: team.lawyer)
        let second = try team.addItem(randomBytes(2000))
        // What a backup killed after naming the object, before its database, leaves behind.
        let leftover = ObjectFiles.path(second.object, in: dest)
        try FileSystem.makeDirectories(FileSystem.folder(of: leftover))
        try FileManager.default.copyItem(atPath: team.vault.objects.path(of: second.object), toPath: leftover)
        var result: BackupResult?
        let events = try traced { result = try team.vault.backup(to: dest, by: team.lawyer) }
        #expect(result?.copiedObjects == 0)
        let renamed = try databaseRenamed(events, in: dest)
        for event in [
            DurabilityTrace.Event.fileSynced(leftover), .folderSynced(FileSystem.folder(of: leftover)),
            .folderSynced("\(dest)/objects"),
        ] {
            let index = try #require(events.firstIndex(of: event), "\(event) in \(events)")
            #expect(index < renamed, "\(event)")
        }
        // The first object was made durable by the backup whose database names it: not synced again.
        #expect(!events.contains(.fileSynced(ObjectFiles.path(first.object, in: dest))), "\(events)")
        #expect(try Vault.verifyBackup(at: dest).problems.isEmpty)
    }

    @Test("a folder whose database cannot be read: every object the copy names is synced before the database")
    func unreadableDatabase() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(1000))
        let dest = BackupTests.destination(team)
        _ = try team.vault.backup(to: dest, by: team.lawyer)
        let database = "\(dest)/\(Vault.databaseName)"
        try Data(repeating: 0x55, count: 8192).write(to: URL(fileURLWithPath: database))
        let events = try traced { _ = try team.vault.backup(to: dest, by: team.lawyer) }
        let renamed = try databaseRenamed(events, in: dest)
        let synced = try #require(
            events.firstIndex(of: .fileSynced(ObjectFiles.path(item.object, in: dest))), "\(events)")
        #expect(synced < renamed)
        #expect(try Vault.verifyBackup(at: dest).problems.isEmpty)
    }
}
