import ArgumentParser
import CaseVaultIO
import CaseVaultIO

/// `casevault`: the root command. Subcommands live one per file under Commands/.
public struct CaseVaultCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "casevault",
        abstract: "An encrypted case and evidence vault for legal-aid teams.",
        discussion: """
            Every document and piece of evidence is stored encrypted in the age format, readable only by \
            the roles entitled to it.

            Common options (every vault command): --vault DIR (env CASEVAULT_DIR, default ./casevault), \
            --as NAME (env CASEVAULT_AS), --identity FILE, --passphrase-file FILE (env \
            CASEVAULT_PASSPHRASE_FILE), --json, --verbose. Exit codes: 0 success, 64 bad input, 65 damaged \
            data, 66 not found, 73 cannot create, 74 I/O error, 77 not entitled (Docs/CLI.md).

            Example:
              casevault demo
              casevault init --admin ana
              export CASEVAULT_AS=lucia
              casevault add LPZ-2026-014 denuncia.pdf --class legal
              casevault list LPZ-2026-014
              casevault get it_3f9a0c2d4e5b6a71
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, KeygenCommand.self, MemberCommand.self, RoleCommand.self, CaseCommand.self,
            AddCommand.self, ListCommand.self, ShowCommand.self, GetCommand.self, ExportCommand.self,
            UnlockCommand.self, LockCommand.self, DemoCommand.self, AgeCommand.self, ServeAgentCommand.self,
        ]
    )

    public init() {}

    /// The process entry point: interrupts first remove this process's temporary files (no partial
    /// output, no stray plaintext), the temporary files of earlier commands that were killed are removed,
    /// then the command line is parsed and run.
    public static func runFromCommandLine() async {
        InterruptCleanup.installHandlers()
        UserState.sweepLeftovers()
        await main()
    }
}
