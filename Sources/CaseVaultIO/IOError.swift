#if canImport(Glibc)
    import Glibc
#endif

/// A failed file, folder or socket operation: what was attempted, on which path, and the `errno` the
/// system gave, captured at the moment of failure (reading `errno` later, after other calls, can report
/// a stale reason).
///
/// It carries meaning, not sentences: callers compare `code` and `errno`, and the CLI words the report.
public struct IOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being attempted.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case open, create, read, write, sync, rename, link, remove, makeFolder, readFolder, status, permissions
        /// The path exists but is not what was needed (a folder, a device, a FIFO where a regular file
        /// was expected).
        case notRegularFile
        /// `create` without overwrite found the path taken.
        case exists
        /// A file was larger than its caller allows (a key file, a card).
        case tooLarge
        /// A name is longer than the file system or the socket address allows.
        case nameTooLong
        case socket, connect, listen, accept
        /// The peer on a socket was too slow or stopped answering.
        case timedOut
    }

    public let code: Code
    /// The path involved, when there is one.
    public let path: String?
    /// The `errno` value, when the system reported one.
    public let errno: Int32?

    public init(_ code: Code, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    /// An error for `code` with the current `errno`. Call it right after the failing system call.
    public static func system(_ code: Code, path: String? = nil) -> IOError {
        IOError(code, path: path, errno: Glibc.errno)
    }

    /// The system's text for `errno` ("No space left on device"), or nil.
    public var reason: String? { errno.map(Errno.text) }

    /// For logs and `--verbose`; the CLI words the user's message itself.
    public var description: String {
        var text = code.rawValue
        if let path { text += " \(path)" }
        if let reason { text += ": \(reason)" }
        return text
    }
}

/// The one way to turn an `errno` value into text.
public enum Errno {
    public static func text(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        // Swift's Glibc imports the XSI strerror_r, which fills the buffer (thread-safe, unlike strerror).
        guard strerror_r(code, &buffer, buffer.count) == 0 else { return "error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
