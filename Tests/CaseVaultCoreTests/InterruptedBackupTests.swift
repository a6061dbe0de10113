import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A backup killed after putting its new database in place but before its checkpoint or manifest: the folder
/// holds a complete, sound copy whose manifest still describes the backup before. `backup verify` says so
/// instead of reporting damage, and still names a manifest or checkpoint that no backup could have left.
@Suite("Backups: a backup interrupted after its database")
struct InterruptedBackupTests {
    /// The folder as a backup killed after renaming its database leaves it: the second backup's database and
    /// objects, the first backup's manifest, and (when `oldCheckpoint`) the first backup's checkpoint file.
    func interrupted(oldCheckpoint: Bool) throws -> (Team, String, first: BackupManifest) {
        let team = try Team()
        _ = try team.addItem(randomBytes(100))
        let dest = BackupTests.destination(team)
        let first = try team.vault.backup(to: dest, by: team.lawyer).manifest
        let manifest = try FileSystem.readSmallFile("\(dest)/casevault-backup.json", limit: 1 << 20)
        let checkpoint = try FileSystem.readSmallFile("\(dest)/checkpoint", limit: 1 << 20)
        _ = try team.addItem(randomBytes(200), caseID: "C-2")
        _ = try team.vault.backup(to: dest, by: team.lawyer)
        try replace("\(dest)/casevault-backup.json", with: manifest)
        if oldCheckpoint { try replace("\(dest)/checkpoint", with: checkpoint) }
        return (team, dest, first)
    }

    func replace(_ path: String, with bytes: [UInt8]) throws {
        try? FileManager.default.removeItem(atPath: path)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "\(path)")
    }

    @Test("killed before its checkpoint and manifest: verify passes and says a backup was interrupted")
    func beforeCheckpoint() throws {
        let (team, dest, first) = try interrupted(oldCheckpoint: true)
        let report = try withExtendedLifetime(team) { try Vault.verifyBackup(at: dest) }
        #expect(report.problems.isEmpty)
        #expect(report.interruptedAfter == first.size)
        #expect(report.size > first.size)
    }

    @Test("killed between its checkpoint and its manifest: the same")
    func beforeManifest() throws {
        let (team, dest, first) = try interrupted(oldCheckpoint: false)
        let report = try withExtendedLifetime(team) { try Vault.verifyBackup(at: dest) }
        #expect(report.problems.isEmpty && report.interruptedAfter == first.size)
    }

    @Test("the next backup finishes it: manifest and checkpoint match the database again")
    func nextBackupFinishes() throws {
        let (team, dest, _) = try interrupted(oldCheckpoint: true)
        _ = try team.vault.backup(to: dest, by: team.lawyer)
        let report = try withExtendedLifetime(team) { try Vault.verifyBackup(at: dest) }
        #expect(report.problems.isEmpty && report.interruptedAfter == nil)
    }

    @Test("a manifest whose tree the log does not extend is still named")
    func alteredManifest() throws {
        let (team, dest, first) = try interrupted(oldCheckpoint: true)
        let path = "\(dest)/casevault-backup.json"
        let text = String(decoding: try FileSystem.readSmallFile(path, limit: 1 << 20), as: UTF8.self)
        let other = String(first.root.reversed())
        try replace(path, with: Array(text.replacingOccurrences(of: first.root, with: other).utf8))
        let report = try withExtendedLifetime(team) { try Vault.verifyBackup(at: dest) }
        #expect(report.interruptedAfter == nil)
        #expect(report.problems.contains { if case .manifestMismatch = $0 { true } else { false } })
    }

    @Test("an old checkpoint file that is not a member's signed checkpoint is still named")
    func alteredCheckpoint() throws {
        let (team, dest, _) = try interrupted(oldCheckpoint: true)
        var bytes = try FileSystem.readSmallFile("\(dest)/checkpoint", limit: 1 << 20)
        bytes[bytes.count - 10] ^= 0x01
        try replace("\(dest)/checkpoint", with: bytes)
        let report = try withExtendedLifetime(team) { try Vault.verifyBackup(at: dest) }
        #expect(report.problems == [.checkpointMismatch])
    }
}
