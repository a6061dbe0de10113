import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A batch of small files is encrypted while its entries are recorded, holding the vault's write lock; a
/// large add must not hold it while it encrypts, or every other writer waits for a video to be encrypted.
@Suite("Add: the write lock is not held while a large add encrypts")
struct AddLockTests {
    func traced(_ body: () throws -> Void) throws -> [DurabilityTrace.Event] {
        let trace = DurabilityTrace()
        try DurabilityTrace.$current.withValue(trace) { try body() }
        return trace.events
    }

    @Test("over the limit: every object is written and named before the write lock is taken")
    func largeAddEncryptsFirst() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let paths = try (0..<12).map { try team.folder.write("video-\($0).mp4", randomBytes(20_000)) }
        var options = AddOptions()
        options.lockedEncryptionLimit = 100_000  // the batch is 240,000 bytes
        var items: [Item] = []
        let events = try traced {
            items = try team.vault.add(caseID: "C-1", files: paths, options: options, by: team.lawyer)
        }
        let locked = try #require(events.firstIndex(of: .writeLockTaken))
        let links = items.map { events.firstIndex(of: .linked(team.vault.objects.path(of: $0.object))) }
        #expect(links.allSatisfy { $0 != nil && $0! < locked }, "\(events)")
        #expect(try team.vault.items().count == 12)
    }

    @Test("over the limit, a file failing mid-batch: nothing recorded, no object left, the lock never taken")
    func largeAddFailure() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        var paths = try (0..<30).map { try team.folder.write("f\($0)", randomBytes(3000)) }
        // /proc/self/mem passes the checks before the batch, then its first read fails (EIO).
        paths.insert("/proc/self/mem", at: 20)
        var options = AddOptions()
        options.lockedEncryptionLimit = 0
        let events = try traced {
            #expect(throws: VaultError.self) {
                try team.vault.add(caseID: "C-1", files: paths, options: options, by: team.lawyer)
            }
        }
        #expect(!events.contains(.writeLockTaken))
        #expect(try team.vault.items().isEmpty)
        #expect(team.vault.objects.allObjects().isEmpty)
    }
}
