import ArgumentParser
import CaseVaultCore

/// `casevault lock`: makes unlock agents forget their keys now.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Make your unlock agent forget your key now.",
        discussion: """
            Stops the agent that `casevault unlock` started for you in this vault; the next command asks \
            for your passphrase again. With --all, stops every agent of your user, for every vault and \
            member: do this before you leave the computer.

            Example:
              casevault lock --as lucia
              casevault lock --all
            """
    )

    @OptionGroup var options: VaultOptions

    @Flag(help: "Stop every unlock agent of your user, whatever the vault or member.")
    var all = false

    private struct Report: Encodable {
        let locked: Int
        let failed: [String]
    }

    func run() async throws {
        try await options.run {
            let directory = AgentLauncher.directory
            let count: Int
            var failed: [String] = []
            if all {
                (count, failed) = try Vault.lockAllAgents(in: directory)
            } else {
                let vault = try options.openVault()
                let member = try options.requireMember(purpose: "lock")
                count = try vault.lockAgent(of: member, in: directory) ? 1 : 0
            }
            if options.json {
                try Printer.json(Report(locked: count, failed: failed))
            } else if all {
                Console.out(count == 1 ? "Locked 1 unlock agent." : "Locked \(count) unlock agents.")
            } else {
                Console.out(
                    count == 1
                        ? "Locked \(options.member ?? ""). The next command will ask for the passphrase."
                        : "No unlock agent was running for \(options.member ?? "") in this vault.")
            }
            guard failed.isEmpty else {
                throw CLIError(
                    message: "The unlock agent failed: \(failed.count) agent(s) could not be stopped "
                        + "(\(failed.joined(separator: ", "))); end them with `kill` or restart the computer.",
                    code: ExitCodes.ioError)
            }
        }
    }
}
