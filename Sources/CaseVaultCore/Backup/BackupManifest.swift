import CaseVaultIO
import Foundation

/// What a backup folder holds, written last by every backup: `DEST/casevault-backup.json`. It names the vault
/// (so a folder of another vault is refused) and the tree the folder's database holds. Docs/FORMAT.md,
/// "Backups", specifies it.
public struct BackupManifest: Sendable, Equatable, Codable {
    public static let fileName = "casevault-backup.json"
    public static let currentFormat = "casevault-backup/v1"

    public var format: String
    /// 16 random bytes, hex, made by the first backup to this folder: the name the log gives the folder
    /// (a local path could identify people; this cannot).
    public var backupID: String
    public var vaultID: String
    /// The log the folder's database holds: its size and root (hex).
    public var size: Int
    public var root: String
    /// Objects the folder holds, and their bytes.
    public var objects: Int
    public var bytes: Int64
    /// When it was written (UTC, ISO 8601).
    public var time: String

    static func path(in folder: String) -> String { "\(folder)/\(fileName)" }

    /// The manifest of `folder`; nil when it has none.
    static func load(from folder: String) throws -> BackupManifest? {
        let path = path(in: folder)
        guard FileSystem.exists(path) else { return nil }
        guard let bytes = try? FileSystem.readSmallRegularFile(path, limit: 64 * 1024),
            let manifest = try? JSONDecoder().decode(BackupManifest.self, from: Data(bytes)),
            manifest.format == currentFormat
        else { throw BackupError.badManifest(path: path) }
        return manifest
    }

    /// Replaces the manifest atomically (temporary file, fsync, rename, folder fsync).
    func save(in folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let file = try AtomicFileSink(path: Self.path(in: folder), mode: 0o600)
        try file.write(Array(try encoder.encode(self)) + [0x0A])
        try file.commit()
    }
}
