import CaseVaultTestSupport
import Testing

/// What the interop tests need beyond running a program (CaseVaultTestSupport's `ProcessRunner`): whether the
/// reference `age` is installed, and a terminal to type its passphrases into.
enum ExternalTools {
    static var ageAvailable: Bool {
        ProcessRunner.path(of: "age") != nil && ProcessRunner.path(of: "age-keygen") != nil
    }

    /// Why the tests that need python3 are skipped without it, as their `.enabled(if:)` trait says.
    static let python3Missing: Comment = "SKIPPED: python3 not installed; it types the passphrase into age's terminal"

    /// Runs a command that asks for a passphrase on its terminal (as `age` does), typing `passphrase`
    /// into a pseudo-terminal each time it asks. Needs python3.
    static func runWithTerminal(_ arguments: [String], passphrase: String, times: Int = 1) throws
        -> ProcessRunner.Result
    {
        let script = """
            import os, pty, sys, time
            args = sys.argv[3:]
            passphrase = sys.argv[1].encode()
            times = int(sys.argv[2])
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp(args[0], args)
            out = b""
            typed = 0
            while True:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
                while typed < times and out.lower().count(b"passphrase") > typed:
                    time.sleep(0.05)
                    os.write(fd, passphrase + b"\\n")
                    typed += 1
            _, status = os.waitpid(pid, 0)
            sys.stderr.write(out.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        return try ProcessRunner.run(["python3", "-c", script, passphrase, String(times)] + arguments)
    }
}
