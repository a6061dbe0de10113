#if canImport(Glibc)
    import Glibc
#endif

/// Writes lines to stdout and stderr with plain write(2): no stdio buffering to flush, and nothing
/// shared between threads.
enum Console {
    static func out(_ text: String) { write(fd: 1, text + "\n") }

    static func error(_ text: String) { write(fd: 2, text + "\n") }

    /// Progress and prompts that must not end the line.
    static func errorNoNewline(_ text: String) { write(fd: 2, text) }

    /// Raw bytes to standard output (already formatted, newline included).
    static func write(bytes: [UInt8]) { write(fd: 1, bytes) }

    private static func write(fd: Int32, _ text: String) { write(fd: fd, Array(text.utf8)) }

    private static func write(fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
