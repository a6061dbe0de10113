#if canImport(Glibc)
    import Glibc
#endif

/// One Unix-domain stream socket, closed when the value goes away. The unlock agent listens on one; a
/// command connects, sends a request and reads its reply (a batch, several in turn).
public final class UnixSocket: ByteSource, ByteSink {
    public let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// A socket path must fit `sockaddr_un.sun_path` with its terminating zero.
    public static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    private static func make() throws -> UnixSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(.socket) }
        return UnixSocket(descriptor: fd)
    }

    private static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws -> R {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumPathLength else {
            throw IOError(.nameTooLong, path: path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// Listens at `path`, which must not exist. The socket file is made 0600 (its folder is 0700 too).
    public static func listen(at path: String) throws -> UnixSocket {
        let sock = try make()
        let bound = try withAddress(path) { bind(sock.descriptor, $0, $1) }
        guard bound == 0 else { throw failure(.listen, path: path) }
        guard chmod(path, 0o600) == 0, Glibc.listen(sock.descriptor, 16) == 0 else {
            let error = failure(.listen, path: path)
            unlink(path)
            throw error
        }
        return sock
    }

    /// Connects to the socket at `path`; nil when nobody listens there (no file, or a stale one). The
    /// timeout bounds the connection itself too: a blocking connect to a listener whose queue is full
    /// would otherwise wait for ever.
    public static func connect(to path: String, timeoutSeconds: Int) throws -> UnixSocket? {
        let sock = try make()
        sock.setTimeout(seconds: timeoutSeconds)
        let rc = try withAddress(path) { Glibc.connect(sock.descriptor, $0, $1) }
        if rc != 0 {
            if errno == ENOENT || errno == ECONNREFUSED { return nil }
            throw failure(.connect, path: path)
        }
        return sock
    }

    /// Waits up to `milliseconds` for a connection; nil when none came.
    public func accept(waitingAtMost milliseconds: Int32) throws -> UnixSocket? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return nil }
            throw Self.failure(.accept)
        }
        guard ready > 0 else { return nil }
        let fd = Glibc.accept(descriptor, nil, nil)
        guard fd >= 0 else {
            if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { return nil }
            throw Self.failure(.accept)
        }
        return UnixSocket(descriptor: fd)
    }

    /// The process id and user id at the other end (SO_PEERCRED), as the kernel recorded them when the
    /// connection (or, for the listener's side, the listening socket) was made.
    public var peer: (pid: pid_t, uid: uid_t)? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: Glibc hides the type without _GNU_SOURCE.
        var credentials = [UInt32](repeating: 0, count: 3)
        var length = socklen_t(MemoryLayout<UInt32>.size * 3)
        let rc = credentials.withUnsafeMutableBytes {
            getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length)
        }
        guard rc == 0, length == socklen_t(MemoryLayout<UInt32>.size * 3) else { return nil }
        return (pid_t(bitPattern: credentials[0]), credentials[1])
    }

    /// The user id at the other end.
    public var peerUserID: uid_t? { peer?.uid }

    /// When set, `receive` gives up once this monotonic time (nanoseconds) has passed, however slowly the
    /// peer keeps sending: the per-call timeout alone would let a peer that sends a byte a second hold
    /// the agent for hours.
    public var receiveDeadline: UInt64?

    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Bounds every read and write, so that a peer that stops talking cannot hang the other side.
    public func setTimeout(seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, size)
    }

    /// Sends all of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(
                descriptor, bytes.baseAddress!.advanced(by: offset), bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Self.failure(.write) }
            offset += n
        }
    }

    /// One `recv`: some bytes, or 0 at the end of the stream. Past `receiveDeadline` it throws instead.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if let receiveDeadline, Self.monotonicNanoseconds() > receiveDeadline {
                throw IOError(.timedOut)
            }
            let n = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            if errno != EINTR { throw Self.failure(.read) }
        }
    }

    /// The error for a failed socket call, read from `errno` at once; a receive or send timeout
    /// (EAGAIN under SO_RCVTIMEO/SO_SNDTIMEO) is `timedOut`.
    static func failure(_ code: IOError.Code, path: String? = nil) -> IOError {
        let number = errno
        return number == EAGAIN || number == EWOULDBLOCK
            ? IOError(.timedOut, path: path, errno: number) : IOError(code, path: path, errno: number)
    }
}
