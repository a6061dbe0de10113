import ArgumentParser

/// `casevault`: the root command. Subcommands live one per file under Commands/.
public struct CaseVaultCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "casevault",
        abstract: "An encrypted case and evidence vault for legal-aid teams.",
        discussion: """
            Every document and piece of evidence is stored encrypted in the age format, readable only by \
            the roles entitled to it.

            Example:
              casevault age keygen -o me.key
              casevault age encrypt -r age1… -o report.pdf.age report.pdf
            """,
        version: "0.1.0",
        subcommands: [AgeCommand.self]
    )

    public init() {}
}
