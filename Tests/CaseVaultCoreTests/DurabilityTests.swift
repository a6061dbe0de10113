import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// Evidence must never be recorded before its bytes are on disk, and an output must never be shown before
/// its bytes are: these tests follow the order of fsyncs, names and commits (`DurabilityTrace`), so that
/// removing any fsync, or moving it after the name or the commit, fails them.
@Suite("Durability: data on disk before its name, names before the commit")
struct DurabilityTests {
    /// Runs `body` with a fresh trace bound to this task and returns what it recorded.
    func traced(_ body: () throws -> Void) throws -> [DurabilityTrace.Event] {
        let trace = DurabilityTrace()
        try DurabilityTrace.$current.withValue(trace) { try body() }
        return trace.events
    }

    @Test("one file: the object is fsynced, then named, then its folder synced, then the item committed")
    func singleAdd() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let path = try team.folder.write("acta.pdf", randomBytes(10_000))
        var items: [Item] = []
        let events = try traced { items = try team.vault.add(caseID: "C-1", files: [path], by: team.lawyer) }
        let object = team.vault.objects.path(of: items[0].object)
        let synced = try #require(events.firstIndex(of: .fileSynced(nil)))
        let named = try #require(events.firstIndex(of: .linked(object)))
        let folderSynced = try #require(events.firstIndex(of: .folderSynced(FileSystem.folder(of: object))))
        let committed = try #require(events.firstIndex(of: .databaseCommitted))
        #expect(synced < named && named < folderSynced && folderSynced < committed, "\(events)")
    }

    @Test("many files: every object named, then one syncfs, then the one commit; no fsync per file")
    func batchAdd() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let paths = try (0..<20).map { try team.folder.write("foto-\($0).jpg", randomBytes(2048)) }
        var items: [Item] = []
        let events = try traced { items = try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer) }
        let links = items.map { events.firstIndex(of: .linked(team.vault.objects.path(of: $0.object))) }
        let synced = try #require(events.firstIndex { if case .fileSystemSynced = $0 { true } else { false } })
        let committed = try #require(events.firstIndex(of: .databaseCommitted))
        #expect(links.allSatisfy { $0 != nil && $0! < synced }, "\(events)")
        #expect(synced < committed)
        #expect(!events.contains(.fileSynced(nil)))
    }

    @Test("get: the output is fsynced before it is named, and its folder synced after")
    func getOutput() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(100_000))
        let out = team.folder.file("out.bin")
        let events = try traced { try team.vault.get(item.id, to: .file(path: out), by: team.lawyer) }
        let synced = try #require(events.firstIndex(of: .fileSynced(nil)))
        let named = try #require(events.firstIndex(of: .linked(out)))
        let folderSynced = try #require(events.lastIndex(of: .folderSynced(team.folder.path)))
        #expect(synced < named && named < folderSynced, "\(events)")
    }

    @Test("get --force: the output is fsynced before it replaces the old file")
    func getOverwrite() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(1000))
        let out = try team.folder.write("out.bin", [1, 2, 3])
        let events = try traced { try team.vault.get(item.id, to: .file(path: out, overwrite: true), by: team.lawyer) }
        let synced = try #require(events.firstIndex(of: .fileSynced(nil)))
        let replaced = try #require(events.firstIndex(of: .renamed(out)))
        #expect(synced < replaced, "\(events)")
        #expect(events.last == .folderSynced(team.folder.path))
    }
}
