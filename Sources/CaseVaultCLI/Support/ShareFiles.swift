import ArgumentParser
import CaseVaultCore
import CaseVaultCrypto
import CaseVaultIO
import Foundation

/// Where a command writes recovery shares: one 0600 file per share in a folder outside the vault, or standard
/// output when asked explicitly. Never into the vault folder: a share there would sit beside what it unlocks.
struct ShareOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write one share file per share here (outside the vault).", valueName: "folder"))
    var outDir: String?

    @Flag(name: .customLong("stdout"), help: "Write the shares to standard output instead of files.")
    var toStandardOutput = false

    /// Called from the command's `validate()`, inside `InputCheck.validating` (not argument-parser's own
    /// `validate`, whose errors would exit with 1 and a usage dump).
    func checkDestination() throws {
        guard (outDir != nil) != toStandardOutput else {
            throw CLIError.usage("Say where the shares go: --out-dir FOLDER (outside the vault) or --stdout.")
        }
    }

    func check(outside vault: Vault) throws {
        guard let outDir else { return }
        func resolved(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let folder = resolved(outDir)
        let root = resolved(vault.path)
        guard folder != root, !folder.hasPrefix(root + "/") else {
            throw CLIError.usage("--out-dir is inside the vault folder; shares must be kept apart from the vault.")
        }
    }

    /// Writes the shares; returns the files written (none for standard output).
    func write(_ shares: [RecoveryShare]) throws -> [String] {
        guard let outDir else {
            for share in shares {
                var text = try share.text().unsafeExportedBytes()
                defer { ConstantTime.wipe(&text) }
                Console.write(bytes: text + [0x0A])
            }
            return []
        }
        if !FileSystem.exists(outDir) { try FileSystem.makeDirectory(outDir, mode: 0o700) }
        return try shares.map { share in
            let path = "\(outDir)/casevault-share-\(share.keyID)-\(share.index)-of-\(share.count).txt"
            var text = try share.text().unsafeExportedBytes()
            defer { ConstantTime.wipe(&text) }
            try FileSystem.writeNewFile(path, bytes: text, mode: 0o600)
            return path
        }
    }
}

/// Reading one share: a file, or standard input up to the share's `check` line.
enum ShareInput {
    static func read(_ path: String) throws -> SecureBytes {
        var bytes = try FileIO.input(path == "-" ? nil : path).readToEnd(limit: 16 * 1024, path: path)
        defer { ConstantTime.wipe(&bytes) }
        return SecureBytes(copying: bytes)
    }
}
