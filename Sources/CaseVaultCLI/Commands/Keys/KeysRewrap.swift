import ArgumentParser
import CaseVaultCore

/// `casevault keys rewrap --role ROLE`.
struct KeysRewrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrap",
        abstract: "Move a role's stored items and case titles to its current key.",
        discussion: """
            Rewrites the age header of every item, item metadata and case title still wrapped to an older \
            generation of the role, so that it opens with the current key only; the encrypted objects are \
            not touched. Only holders of the role can rewrap. The work is done in batches, each signed \
            into the log: an interrupted rewrap (Ctrl-C, a crash) is finished by running the command again. \
            A rewrap does not undo what a former holder already copied (THREAT_MODEL.md, "Offboarding"). \
            A case-reader role is also added to the case titles made before it had a key, where you hold \
            another reader role of the case (its title is opened with that key).

            With --reencrypt, items get new file keys and new encrypted objects instead of new headers (for a \
            compromised key; see `keys rotate --reencrypt`): this finishes an interrupted \
            `keys rotate --reencrypt`. Run it before any plain rewrap, which would rewrap the items left.

            Example:
              casevault keys rewrap --as lucia --role lawyer
              casevault keys rewrap --as lucia --role lawyer --reencrypt
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("The role whose items to rewrap, e.g. lawyer.", valueName: "role"))
    var role: String

    @Flag(help: "Re-encrypt the items left under new file keys and objects, instead of rewrapping their headers.")
    var reencrypt = false

    func validate() throws {
        try InputCheck.validating { try InputCheck.role(role) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "rewrap a role's items")
            if reencrypt {
                let result = try ReencryptRun.run(vault, role: role, session: session)
                if options.json { try Printer.json(result) } else { Console.out(ReencryptRun.line(result)) }
                return
            }
            let result = try RewrapRun.run(vault, role: role, session: session)
            if options.json {
                try Printer.json(result)
                return
            }
            Console.out(RewrapRun.line(result))
            if let warning = RewrapRun.casesLeftWarning(result) { Console.error(warning) }
        }
    }
}

/// A rewrap with its progress line, as `keys rewrap` and `keys rotate --rewrap` run it.
enum RewrapRun {
    static func run(_ vault: Vault, role: String, session: MemberSession) throws -> RewrapResult {
        let terminal = Console.stderrIsTerminal
        defer { if terminal { Console.errorNoNewline("\r\u{1B}[K") } }
        return try vault.rewrap(role: role, by: session) { done, total in
            if terminal { Console.errorNoNewline("\rRewrapping \(role): \(done) of \(total)\u{1B}[K") }
        }
    }

    static func line(_ result: RewrapResult) -> String {
        "Rewrapped \(result.items) items and \(result.cases) case titles of \(result.role) to generation "
            + "\(result.generation)."
            + (result.casesAdded > 0
                ? " Added \(result.role) to \(result.casesAdded) case titles made before it had a key." : "")
    }

    /// Case titles made before the role had a key that this member could not open.
    static func casesLeftWarning(_ result: RewrapResult) -> String? {
        guard result.casesLeft > 0 else { return nil }
        return "casevault: warning: \(result.casesLeft) case titles made before \(result.role) had a key still "
            + "lack it: you hold none of their reader roles. A member who holds \(result.role) and a reader "
            + "role of those cases can add it with `casevault keys rewrap --role \(result.role)`."
    }
}
