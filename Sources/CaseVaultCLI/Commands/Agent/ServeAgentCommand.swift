import ArgumentParser
import CaseVaultCore
import CaseVaultCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// `casevault serve-agent`: the unlock agent process. Hidden: `casevault unlock` starts it and hands it
/// the keys on standard input.
struct ServeAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-agent",
        abstract: "The unlock agent process that `casevault unlock` starts (not for direct use).",
        shouldDisplay: false
    )

    @Option(help: ArgumentHelp("The folder for the agent's socket.", valueName: "dir"))
    var agentDir: String

    func run() throws {
        guard isatty(0) == 0 else {
            Console.error("casevault: serve-agent is started by `casevault unlock`; run that instead.")
            throw ExitCode(ExitCodes.usage)
        }
        // Before any key is parsed: no core dumps or ptrace, and every secret on OpenSSL's locked heap.
        let hardened = SecureHeap.hardenProcess()
        let protection = SecureHeap.enable()
        let memory: AgentLauncher.MemoryProtection =
            !hardened || protection != .locked ? .unlocked : SecureHeap.lockAllMemory() ? .locked : .partial
        // Its own session, away from the terminal: closing it or pressing Ctrl-C there does not reach the
        // agent. And no hold on the folder it was started in.
        _ = setsid()
        _ = chdir("/")
        do {
            let handoff = try AgentHandoff.read(from: 0)
            let agent = try UnlockAgent(handoff: handoff, directory: AgentDirectory(path: agentDir))
            // The socket path is last: it may contain spaces.
            Console.out("ready \(memory.rawValue) \(agent.socketPath)")
            Self.detachStandardStreams()
            agent.serve()
        } catch {
            Console.out("error \(ErrorReport.describe(error).message)")
            throw ExitCode(ExitCodes.failure)
        }
    }

    /// Standard input and output were the pipes from `unlock`; closing them lets it finish.
    private static func detachStandardStreams() {
        let null = open("/dev/null", O_RDWR)
        guard null >= 0 else { return }
        dup2(null, 0)
        dup2(null, 1)
        if null > 2 { close(null) }
    }
}
