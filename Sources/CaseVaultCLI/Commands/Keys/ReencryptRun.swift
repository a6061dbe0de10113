import CaseVaultCore
import Foundation

/// A re-encryption with its progress line, as `keys rotate --reencrypt` and `keys rewrap --reencrypt` run it.
enum ReencryptRun {
    static func run(_ vault: Vault, role: String, session: MemberSession) throws -> ReencryptResult {
        let terminal = Console.stderrIsTerminal
        defer { if terminal { Console.errorNoNewline("\r\u{1B}[K") } }
        var lastDraw: TimeInterval = 0
        return try vault.reencrypt(role: role, by: session) { progress in
            // Called for every block streamed: redrawn at most ten times a second.
            let now = Date().timeIntervalSince1970
            guard terminal, now - lastDraw >= 0.1 || progress.bytes == progress.totalBytes else { return }
            lastDraw = now
            Console.errorNoNewline(
                "\rRe-encrypting \(role): \(progress.items) of \(progress.totalItems) items, "
                    + "\(Printer.size(progress.bytes)) of \(Printer.size(progress.totalBytes))\u{1B}[K")
        }
    }

    static func line(_ result: ReencryptResult) -> String {
        "Re-encrypted \(result.items) items of \(result.role) (\(Printer.size(result.bytes))) under new file keys, "
            + "to generation \(result.generation); rewrapped \(result.cases) case titles."
            + (result.items > 0
                ? " The old objects are kept until a backup holds the new ones: `casevault backup` then removes them."
                : "")
    }
}
