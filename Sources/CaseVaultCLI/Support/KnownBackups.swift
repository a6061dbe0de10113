import CaseVaultIO
import Foundation

/// The backup folders this user made of each vault, kept in their state folder (never in the vault or the
/// log: a path can identify people): `verify` says which of them hold a good copy of a damaged object.
enum KnownBackups {
    private static func file(vaultID: String) -> String? {
        UserState.folder.map { "\($0)/backups/\(vaultID).json" }
    }

    static func list(vaultID: String) -> [String] {
        guard let file = file(vaultID: vaultID), let bytes = try? FileSystem.readSmallFile(file, limit: 1 << 20),
            let paths = try? JSONDecoder().decode([String].self, from: Data(bytes))
        else { return [] }
        return paths
    }

    /// Adds `path` (made absolute) to the list; best effort, as a read-only home must not fail a backup.
    static func remember(_ path: String, vaultID: String) {
        guard let file = file(vaultID: vaultID) else { return }
        let absolute = path.hasPrefix("/") ? path : FileSystem.currentDirectory() + "/" + path
        var paths = list(vaultID: vaultID)
        guard !paths.contains(absolute) else { return }
        paths.append(absolute)
        do {
            try FileSystem.makeDirectories(FileSystem.folder(of: file))
            let sink = try AtomicFileSink(path: file, mode: 0o600)
            try sink.write(Array(try JSONEncoder().encode(paths)))
            try sink.commit()
        } catch {
            return
        }
    }
}
