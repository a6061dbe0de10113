import ArgumentParser
import CaseVaultCore

/// `casevault case …`: the cases (expedientes) of the vault.
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Create, list and show cases; place and release legal holds.",
        discussion: """
            A case id is in the clear and must not identify anyone: use a file number such as \
            LPZ-2026-014. The title and the survivor's pseudonym are encrypted to the case-reader roles \
            (by default lawyer, mentor, psychologist, social-worker).

            Example:
              casevault case create --as lucia LPZ-2026-014 --title "Denuncia, El Alto" --survivor Rosa
              casevault case list --as lucia
              casevault case show LPZ-2026-014 --json
            """,
        subcommands: [CaseCreate.self, CaseList.self, CaseShow.self, CaseHold.self, CaseRelease.self]
    )
}

/// How a case's encrypted title is shown when the reader cannot decrypt it.
enum CaseText {
    static func title(_ c: VaultCase) -> String {
        guard c.metadataReadable else { return "(encrypted)" }
        return c.title.map(Printer.safe) ?? "-"
    }

    static func survivor(_ c: VaultCase) -> String {
        guard c.metadataReadable else { return "(encrypted)" }
        return c.survivor.map(Printer.safe) ?? "-"
    }
}
