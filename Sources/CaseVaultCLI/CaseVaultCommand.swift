import ArgumentParser
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

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
            data, 66 not found, 73 cannot create, 74 I/O error, 75 try again, 77 not entitled (Docs/CLI.md).

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
            UnlockCommand.self, LockCommand.self, AuditCommand.self, DemoCommand.self, AgeCommand.self,
            ServeAgentCommand.self, CustodyCommand.self, VerifyBundleCommand.self, KeysCommand.self,
            RecoveryCommand.self,
            BackupCommand.self, RestoreCommand.self, VerifyCommand.self,
        ]
    )

    public init() {}

    /// The process entry point: interrupts first remove this process's temporary files (no partial
    /// output, no stray plaintext), the temporary files of earlier commands that were killed are removed,
    /// then the command line is parsed and run. Parse errors are printed in `casevault`'s own form
    /// (`casevault: …`, then the usage line), not argument-parser's `Error: …`.
    public static func runFromCommandLine() async {
        InterruptCleanup.installHandlers()
        UserState.sweepLeftovers()
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let report = ArgumentErrors.report(error, arguments: arguments)
            if !report.text.isEmpty {
                if report.toStandardOutput { Console.out(report.text) } else { Console.error(report.text) }
            }
            Glibc.exit(report.code)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Glibc.exit(error.rawValue)
        } catch let error where ErrorReport.isOwn(error) {
            // Commands report their own errors (`reportingErrors`); this is the net for any that escape.
            let (message, code) = ErrorReport.describe(error)
            Console.error("casevault: \(message)")
            Glibc.exit(code)
        } catch {
            // argument-parser's own: `help SUBCOMMAND` runs a command that throws the help request.
            let report = ArgumentErrors.report(error, arguments: arguments)
            if !report.text.isEmpty {
                if report.toStandardOutput { Console.out(report.text) } else { Console.error(report.text) }
            }
            Glibc.exit(report.code)
        }
        Glibc.exit(ExitCodes.success)
    }
}
