import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// Reads passphrases without echo from the terminal, or from a file for scripts. Passphrases go
/// straight into `SecureBytes`: never into a `String`, argv or the environment.
enum PassphraseInput {
    static let maximumLength = 1024

    /// The passphrase from `file` when given, else from `$CASEVAULT_PASSPHRASE_FILE`, else the terminal.
    static func read(prompt: String, file: String?, confirm: Bool = false) throws -> SecureBytes {
        if let path = file ?? environmentFile() { return try fromFile(path) }
        let first = try fromTerminal(prompt: prompt)
        if confirm {
            let second = try fromTerminal(prompt: "Repeat the passphrase: ")
            guard first.constantTimeEquals(second) else {
                throw CLIError.usage("The two passphrases differ. Nothing was changed; try again.")
            }
        }
        return first
    }

    static func environmentFile() -> String? {
        guard let value = getenv("CASEVAULT_PASSPHRASE_FILE") else { return nil }
        let path = String(cString: value)
        return path.isEmpty ? nil : path
    }

    /// The first line of `path` (without its line ending).
    static func fromFile(_ path: String) throws -> SecureBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError.inputMissing("Cannot read the passphrase file \(path): \(Errno.text(errno)).")
        }
        defer { close(fd) }
        PermissionWarnings.warnIfOpenToOthers(passphraseFile: path, fd: fd)
        let buffer = SecureBytes(zeroedCount: maximumLength + 1)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else {
            throw CLIError.inputMissing("Cannot read the passphrase file \(path): \(Errno.text(errno)).")
        }
        guard n <= maximumLength else {
            throw CLIError.usage("The passphrase file \(path) is too long.")
        }
        let length = buffer.withUnsafeBytes { bytes in
            var end = 0
            while end < n && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            return end
        }
        guard length > 0 else { throw CLIError.usage("The passphrase file \(path) is empty.") }
        return buffer.slice(0..<length)
    }

    /// Prompts on /dev/tty with echo off, so that the passphrase never shows and never comes from a pipe
    /// by accident.
    static func fromTerminal(
        prompt: String,
        scriptHint: String = "Use --passphrase-file or CASEVAULT_PASSPHRASE_FILE in scripts."
    ) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            throw CLIError.usage("No terminal to ask for a passphrase. \(scriptHint)")
        }
        defer { close(fd) }
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ICANON)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal { tcsetattr(fd, TCSAFLUSH, &saved) }
            _ = "\n".withCString { Glibc.write(fd, $0, 1) }
        }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        let buffer = SecureBytes(zeroedCount: maximumLength + 1)
        var count = 0
        var byte: UInt8 = 0
        while count <= maximumLength {
            let n = Glibc.read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0A || byte == 0x0D { break }
            buffer.withUnsafeMutableBytes { $0[count] = byte }
            count += 1
        }
        byte = 0
        guard count <= maximumLength else { throw CLIError.usage("The passphrase is too long.") }
        guard count > 0 else { throw CLIError.usage("The passphrase is empty. Nothing was changed.") }
        return buffer.slice(0..<count)
    }
}

extension PassphraseInput {
    /// A passphrase being chosen (a new member's, a new vault admin's, an export's): from `file` when given,
    /// else typed twice on the terminal. Never taken from CASEVAULT_PASSPHRASE_FILE, which is the acting
    /// member's own passphrase.
    static func readNew(prompt: String, file: String?) throws -> SecureBytes {
        if let file { return try fromFile(file) }
        let hint = "Use --new-passphrase-file in scripts."
        let first = try fromTerminal(prompt: prompt, scriptHint: hint)
        let second = try fromTerminal(prompt: "Repeat the passphrase: ", scriptHint: hint)
        guard first.constantTimeEquals(second) else {
            throw CLIError.usage("The two passphrases differ. Nothing was changed; try again.")
        }
        return first
    }
}
