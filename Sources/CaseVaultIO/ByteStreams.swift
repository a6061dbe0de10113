import CaseVaultCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Somewhere bytes come from: a file, a pipe, a socket, a buffer, or another decoder (armor).
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// How many bytes are left, when the source knows it exactly (bytes already in memory); nil otherwise.
    /// Readers use it to size their buffers to a small input.
    var knownRemainingCount: Int? { get }
}

extension ByteSource {
    public var knownRemainingCount: Int? { nil }
}

/// Somewhere bytes go to.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSource {
    /// Reads until `buffer` is full or the stream ends; returns how many bytes were read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Reads the whole stream into memory, refusing (`IOError.tooLarge`) anything above `limit` bytes.
    /// The read buffer is wiped, since small files read whole are often key files.
    public func readToEnd(limit: Int, path: String? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(64 * 1024, limit + 1))
        defer { ConstantTime.wipe(&chunk) }
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= limit else { throw IOError(.tooLarge, path: path) }
            out += chunk[0..<n]
        }
    }
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Reads from an in-memory byte array.
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var knownRemainingCount: Int? { bytes.count - offset }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n == 0 { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + n]))
        }
        offset += n
        return n
    }
}

/// Collects written bytes in memory.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// Passes bytes on and reports the running total (for progress reports).
public final class CountingSink: ByteSink {
    private let next: ByteSink
    private let report: (Int64) -> Void
    public private(set) var total: Int64 = 0

    public init(_ next: ByteSink, report: @escaping (Int64) -> Void) {
        self.next = next
        self.report = report
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try next.write(bytes)
        total += Int64(bytes.count)
        report(total)
    }
}

/// A POSIX file descriptor used as a source or sink. It closes the descriptor only if it owns it.
public final class FileDescriptorStream: ByteSource, ByteSink {
    public let fd: Int32
    /// The path it was opened from, for error reports; nil for inherited descriptors.
    public let path: String?
    private let owned: Bool

    public init(fd: Int32, owned: Bool, path: String? = nil) {
        self.fd = fd
        self.owned = owned
        self.path = path
    }

    /// Opens `path` for reading.
    public convenience init(readingFrom path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(.open, path: path) }
        self.init(fd: fd, owned: true, path: path)
    }

    /// Creates (or truncates) `path` for writing with the given permission bits.
    public convenience init(writingTo path: String, mode: mode_t = 0o600, exclusive: Bool = false) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw IOError.system(errno == EEXIST ? .exists : .create, path: path) }
        self.init(fd: fd, owned: true, path: path)
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw IOError.system(.read, path: path)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError.system(.write, path: path)
            }
            offset += n
        }
    }

    /// Flushes the file's data to stable storage.
    public func sync() throws {
        guard FileSystem.sync(fd, path: path) == 0 else { throw IOError.system(.sync, path: path) }
    }

    /// The size of a regular file, or nil for pipes and terminals.
    public var regularFileSize: Int64? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
