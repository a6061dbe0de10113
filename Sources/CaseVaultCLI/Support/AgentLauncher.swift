import CaseVaultCore
import CaseVaultIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where unlock agents live, and how `casevault unlock` starts one.
enum AgentLauncher {
    /// $CASEVAULT_AGENT_DIR, else $XDG_RUNTIME_DIR/casevault (a per-user tmpfs on most desktops), else
    /// /tmp/casevault-agent-UID.
    static var directory: AgentDirectory {
        if let path = Environment.value("CASEVAULT_AGENT_DIR") { return AgentDirectory(path: path) }
        if let runtime = Environment.value("XDG_RUNTIME_DIR") { return AgentDirectory(path: runtime + "/casevault") }
        return AgentDirectory(path: "/tmp/casevault-agent-\(getuid())")
    }

    /// Starts `casevault serve-agent` as a detached process (it makes its own session), hands it the
    /// keys through a pipe on its standard input, and waits for it to say it listens. Returns the socket.
    /// How well the agent keeps its keys out of swap and out of other processes' reach.
    enum MemoryProtection: String {
        /// All its memory is locked; no dumps, no ptrace.
        case locked
        /// CaseVault's copies of the keys are on the locked secure heap; OpenSSL's own copy is not.
        case partial
        /// Nothing could be locked, or dumps and ptrace could not be turned off.
        case unlocked
    }

    static func launch(_ handoff: AgentHandoff, directory: AgentDirectory) throws -> (
        socket: String, memory: MemoryProtection
    ) {
        let executable = try ownExecutable()
        let toAgent = try Pipe()
        let fromAgent = try Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toAgent.read, 0)
        posix_spawn_file_actions_adddup2(&actions, fromAgent.write, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        markDescriptorsCloseOnExec()
        let arguments = [executable, ServeAgentCommand.configuration.commandName!, "--agent-dir", directory.path]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else {
            throw VaultError.agentUnavailable(.couldNotStart(errno: rc))
        }
        toAgent.closeRead()
        fromAgent.closeWrite()
        do { try handoff.write(to: toAgent.write) } catch {
            kill(pid, SIGTERM)
            throw error
        }
        toAgent.closeWrite()

        let answer = fromAgent.readAll(limit: 4096)
        if answer.hasPrefix("ready ") {
            let fields = answer.dropFirst(6).prefix { $0 != "\n" }.split(separator: " ", maxSplits: 1)
            if fields.count == 2, let memory = MemoryProtection(rawValue: String(fields[0])) {
                return (String(fields[1]), memory)
            }
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let reason = answer.hasPrefix("error ") ? String(answer.dropFirst(6).prefix { $0 != "\n" }) : ""
        throw VaultError.agentUnavailable(.stoppedBeforeReady(reason))
    }

    /// The agent must inherit nothing but its two pipes: a descriptor it kept open would keep whatever
    /// waits on it waiting (a caller's pipe, the vault database, a test harness's exit watch) for hours.
    private static func markDescriptorsCloseOnExec() {
        // The listing's own descriptor is closed again by the time the loop runs; fcntl on it is harmless.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in names.compactMap(Int32.init) where fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    private static func ownExecutable() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { throw VaultError.agentUnavailable(.executableNotFound) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A pipe whose ends are closed on exec (the spawned agent gets copies on 0 and 1 only).
    private final class Pipe {
        private(set) var read: Int32
        private(set) var write: Int32

        init() throws {
            var ends: [Int32] = [-1, -1]
            guard Glibc.pipe(&ends) == 0 else { throw VaultError.agentUnavailable(.couldNotStart(errno: errno)) }
            read = ends[0]
            write = ends[1]
            _ = fcntl(read, F_SETFD, FD_CLOEXEC)
            _ = fcntl(write, F_SETFD, FD_CLOEXEC)
        }

        deinit {
            closeRead()
            closeWrite()
        }

        func closeRead() {
            if read >= 0 { close(read) }
            read = -1
        }

        func closeWrite() {
            if write >= 0 { close(write) }
            write = -1
        }

        /// Reads until end of file (the agent closes its end once ready) or `limit` bytes.
        func readAll(limit: Int) -> String {
            let bytes = (try? FileDescriptorStream(fd: read, owned: false).readToEnd(limit: limit)) ?? []
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
