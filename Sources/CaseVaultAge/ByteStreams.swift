import Glibc

/// Somewhere bytes come from: a file, a pipe, a buffer, or another decoder (armor).
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

/// A POSIX file descriptor used as a source or sink. It closes the descriptor only if it owns it.
public final class FileDescriptorStream: ByteSource, ByteSink {
    public let fd: Int32
    private let owned: Bool

    public init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    /// Opens `path` for reading.
    public convenience init(readingFrom path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgeError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.init(fd: fd, owned: true)
    }

    /// Creates (or truncates) `path` for writing with the given permission bits.
    public convenience init(writingTo path: String, mode: mode_t = 0o600, exclusive: Bool = false) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw AgeError.io("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.init(fd: fd, owned: true)
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw AgeError.io("read failed: \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw AgeError.io("write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes the file's data to stable storage.
    public func sync() throws {
        guard fsync(fd) == 0 else { throw AgeError.io("fsync failed: \(String(cString: strerror(errno)))") }
    }
}
