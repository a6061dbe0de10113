import ArgumentParser
import CaseVaultCore
import Foundation

/// `casevault unlock`: opens the member's key once and leaves it with an agent for a while.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Unlock your key once, so that commands stop asking for your passphrase for a while.",
        discussion: """
            Starts an unlock agent: a small background process that keeps your key in locked memory, for \
            this vault only, and answers only your own user's commands. Until it stops, commands run --as \
            you use it and ask no passphrase (--no-agent asks anyway). It stops when its time is up, after \
            --idle without use, at `casevault lock`, or when the computer restarts. Lock before you leave \
            the computer.

            Example:
              casevault unlock --as lucia --for 4h
              casevault add LPZ-2026-014 acta.pdf --as lucia
              casevault lock --as lucia
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(
        name: .customLong("for"),
        help: ArgumentHelp("How long the agent keeps the key: 45m, 2h, 1d (default 2h, at most 1d).", valueName: "time")
    )
    var duration = "2h"

    @Option(
        help: ArgumentHelp(
            "Forget the key sooner if no command used it for this long (default 30m).", valueName: "time"))
    var idle = "30m"

    func validate() throws {
        try InputCheck.validating {
            _ = try Self.seconds(duration, option: "--for")
            _ = try Self.seconds(idle, option: "--idle")
        }
    }

    /// "90s", "45m", "2h", "1d" → seconds, from 1 second to 1 day.
    static func seconds(_ text: String, option: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0,
            count <= 86400 / unit
        else {
            throw CLIError.usage(
                "\(option) \(text.prefix(20)) is not a time from 1s to 1d. Write it as 45m, 2h or 1d.")
        }
        return count * unit
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let member = try options.requireMember(purpose: "unlock")
            let directory = AgentLauncher.directory
            if let running = try vault.sessionFromAgent(member, in: directory) {
                report(member: member, expiresAt: running.agentExpiresAt ?? 0, socket: nil, already: true)
                return
            }
            let session = try options.unlockWithPassphrase(vault, member: member)
            let handoff = try AgentHandoff(
                session: session,
                expiresAt: Int(Date().timeIntervalSince1970) + (try Self.seconds(duration, option: "--for")),
                idleSeconds: try Self.seconds(idle, option: "--idle"))
            let started = try AgentLauncher.launch(handoff, directory: directory)
            switch started.memory {
            case .locked:
                options.note("The agent's memory is locked.")
            case .partial:
                options.note(
                    "The agent keeps its own copies of the keys in locked memory; OpenSSL's copy could still be "
                        + "swapped out (encrypted swap protects it).")
            case .unlocked:
                Console.error(
                    "casevault: warning: the agent could not lock its memory (see `ulimit -l`), so its keys could "
                        + "be written to swap. Use encrypted swap, or lock sooner.")
            }
            report(member: member, expiresAt: handoff.expiresAt, socket: started.socket, already: false)
        }
    }

    private struct Report: Encodable {
        let member: String
        let expiresAt: String
        let alreadyUnlocked: Bool
        let socket: String?

        enum CodingKeys: String, CodingKey {
            case member, socket
            case expiresAt = "expires_at"
            case alreadyUnlocked = "already_unlocked"
        }
    }

    private func report(member: String, expiresAt: Int, socket: String?, already: Bool) {
        let until = Date(timeIntervalSince1970: TimeInterval(expiresAt))
        if options.json {
            let stamp = ISO8601DateFormatter().string(from: until)
            try? Printer.json(Report(member: member, expiresAt: stamp, alreadyUnlocked: already, socket: socket))
            return
        }
        let local = DateFormatter()
        local.dateFormat = "yyyy-MM-dd HH:mm"
        if already {
            Console.out(
                "\(member) is already unlocked until \(local.string(from: until)). To change that, run "
                    + "`casevault lock` and unlock again.")
        } else {
            Console.out(
                "Unlocked \(member) until \(local.string(from: until)), or until it goes unused for \(idle). "
                    + "Commands run as \(member) will not ask for the passphrase; `casevault lock` forgets the key "
                    + "sooner.")
        }
    }
}
