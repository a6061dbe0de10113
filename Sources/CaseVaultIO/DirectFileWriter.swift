import CaseVaultCrypto
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a new file around the page cache (O_DIRECT), in page-aligned blocks of up to 1 MiB, on a
/// background thread, optionally hashing the bytes on their way out.
///
/// Large outputs that are fsynced before they are named (vault objects, decrypted items) otherwise pay
/// twice: once to copy every byte into the page cache and once to write it back on fsync. With O_DIRECT
/// the disk reads the bytes straight from our buffer. Measured here on 1 GiB:
/// `dd bs=1M conv=fsync` 4.0 s (3.6 s of it in the kernel), `dd bs=1M oflag=direct conv=fsync` 1.0 s.
///
/// Blocks go round a ring: while the caller fills one, full ones are hashed on one background queue and
/// written on another, so the digest (an object's name in the store, or a decrypted item's SHA-256 that
/// `get` checks) and the disk writes leave the caller's thread and overlap each other and the caller's
/// work (hashing block k while block k - 1 is on its way to the disk and block k + 1 is being filled).
///
/// Where the file system refuses O_DIRECT (tmpfs, some network file systems) the writer falls back to
/// ordinary writes; the bytes written are the same either way.
public final class DirectFileWriter: ByteSink, @unchecked Sendable {
    // Sendable by construction: a background job touches only the block it was handed; the hash queue
    // alone touches the digest and the write queue alone touches `direct`, each in block order; and the
    // caller waits for a block's job before refilling it, and for all jobs (`drain()`) before it touches
    // the digest or `direct` itself.

    public static let blockSize = 1 << 20
    /// Glibc exposes O_DIRECT only under _GNU_SOURCE, which Swift's Glibc module does not set; the value
    /// is part of the Linux ABI for each architecture.
    #if arch(arm64)
        public static let directFlag: Int32 = 0o200000
    #else
        public static let directFlag: Int32 = 0o40000
    #endif
    /// O_DIRECT needs buffer address, length and file offset aligned to the logical block size; a page
    /// covers every device we expect.
    static let alignment = 4096

    /// Blocks in the ring by default: enough for decrypted outputs (`get` ran no faster with eight), and
    /// small enough that `casevault age decrypt` to a file stays under 32 MiB of RSS (eight took it to 32.7).
    public static let defaultRingSize = 4
    /// For the object store: eight blocks absorb the disk's pauses (each O_DIRECT write waits for the
    /// device) without stalling `add`'s cipher. A 1 GiB `add` took 1.45 s with four blocks, 1.38 s with
    /// eight, and no less with twelve or 24 (`hyperfine --runs 8`, agent unlocked).
    public static let deepRingSize = 8

    public let fd: Int32
    /// For error reports and the durability trace; nil for an unnamed (O_TMPFILE) file.
    public let path: String?
    let blocks: [UnsafeMutableRawBufferPointer]
    /// Per block, how many of its first bytes ever held data: only those are wiped on release. Wiping a
    /// whole untouched 1 MiB block faulted in 256 zero pages to overwrite them (a checkpoint file of 300
    /// bytes paid for four blocks).
    var filled: [Int]
    private let wipes: Bool
    private var current = 0
    var used = 0
    private var direct: Bool
    private(set) var finished = false
    private let digest: Digest?
    /// Every byte written so far (the file's size once `finish()` returns).
    public internal(set) var byteCount: UInt64 = 0
    /// Set by a kernel copy (`DirectFileWriter+KernelCopy.swift`): the digest `finish()` feeds with the
    /// file's bytes read back, instead of hashing them on their way out.
    var readBack: Digest?

    let hashQueue = DispatchQueue(label: "casevault.direct-writer.hash")
    private let writeQueue = DispatchQueue(label: "casevault.direct-writer.write")
    /// Per block: the job (hash, then write) that owns it, if any.
    private var inFlight: [DispatchGroup?]
    private let backgroundError = Mutex<IOError?>(nil)

    /// Takes over `fd`, a new empty file opened for writing (with O_DIRECT when `direct`), and closes it
    /// on release. With `digest`, every byte written is also fed to it, in file order. `expectedSize`
    /// sizes the ring to a small file: a 2 KB object needs one 4 KiB block, not eight of 1 MiB to allocate
    /// and wipe. `wipes` wipes the blocks on release, for plaintext; ciphertext need not be.
    public init(
        adopting fd: Int32, path: String?, direct: Bool, digest: Digest? = nil, ringSize: Int = defaultRingSize,
        expectedSize: Int64? = nil, wipes: Bool = true
    ) {
        precondition(ringSize >= 2, "the ring needs a block to fill and one in flight")
        var size = Self.blockSize
        var count = ringSize
        if let expectedSize, expectedSize >= 0, expectedSize < Int64(Self.blockSize) {
            // One more page than the file needs, so that the expected bytes never fill the block and the
            // whole file is written by `finish()`; a file that grows meanwhile still works, serially.
            size = (Int(expectedSize) / Self.alignment + 1) * Self.alignment
            count = 2
        }
        self.fd = fd
        self.path = path
        self.direct = direct
        self.digest = digest
        self.wipes = wipes
        inFlight = Array(repeating: nil, count: count)
        filled = Array(repeating: 0, count: count)
        blocks = (0..<count).map { _ in
            // The second block of a small ring is only touched if the file outgrows its estimate.
            UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: Self.alignment)
        }
    }

    /// Creates `path` (it must not exist) with permission bits `mode`.
    public convenience init(
        creating path: String, mode: mode_t = 0o600, digest: Digest? = nil, ringSize: Int = defaultRingSize,
        expectedSize: Int64? = nil, wipes: Bool = true
    ) throws {
        // Read and write: a kernel copy reads its file back to check it.
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | Self.directFlag, mode)
        let direct = fd >= 0
        if fd < 0 && errno == EINVAL {
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        }
        guard fd >= 0 else { throw IOError.system(errno == EEXIST ? .exists : .create, path: path) }
        self.init(
            adopting: fd, path: path, direct: direct, digest: digest, ringSize: ringSize,
            expectedSize: expectedSize, wipes: wipes)
    }

    deinit {
        for group in inFlight { group?.wait() }
        for (block, filled) in zip(blocks, filled) {
            if wipes && filled > 0 { ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: block[0..<filled])) }
            block.deallocate()
        }
        close(fd)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        var offset = 0
        while offset < bytes.count {
            let block = blocks[current]
            let n = min(block.count - used, bytes.count - offset)
            (block.baseAddress! + used).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            used += n
            filled[current] = max(filled[current], used)
            offset += n
            if used == block.count { try handOff() }
        }
        byteCount += UInt64(bytes.count)
    }

    /// Writes what is buffered and, with `sync`, makes the file's data durable (fsync). A caller that
    /// passes false takes over durability (one `syncfs` for a batch of small files). The last partial page
    /// is written without O_DIRECT, since O_DIRECT lengths must be whole blocks.
    public func finish(sync: Bool = true) throws {
        precondition(!finished, "finish called twice")
        finished = true
        if readBack != nil { return try finishKernelCopy(sync: sync) }
        try drain()
        let block = blocks[current]
        try digest?.update(UnsafeRawBufferPointer(rebasing: block[0..<used]))
        let aligned = used / Self.alignment * Self.alignment
        if aligned > 0 { try writeOut(block, count: aligned) }
        if used > aligned {
            try leaveDirectMode()
            try writeRaw(block, from: aligned, count: used - aligned)
        }
        used = 0
        guard sync else { return }
        guard FileSystem.sync(fd, path: path) == 0 else { throw IOError.system(.sync, path: path) }
    }

    /// Hands the full current block to the background queues and moves to the next block of the ring,
    /// once the job that last used that block has finished.
    private func handOff() throws {
        let index = current
        let group = DispatchGroup()
        group.enter()
        hashQueue.async { [self] in
            let block = blocks[index]
            if failure == nil {
                do { try digest?.update(UnsafeRawBufferPointer(block)) } catch { record(error) }
            }
            writeQueue.async { [self] in
                let block = blocks[index]
                if failure == nil {
                    do { try writeOut(block, count: block.count) } catch { record(error) }
                }
                group.leave()
            }
        }
        inFlight[index] = group
        current = (current + 1) % blocks.count
        used = 0
        inFlight[current]?.wait()
        inFlight[current] = nil
        if let error = failure { throw error }
    }

    var failure: IOError? { backgroundError.withLock { $0 } }

    func record(_ error: Error) {
        let ioError = error as? IOError ?? IOError(.write, path: path)
        backgroundError.withLock { if $0 == nil { $0 = ioError } }
    }

    /// Waits for every background job, and rethrows the first failure.
    private func drain() throws {
        for i in inFlight.indices {
            inFlight[i]?.wait()
            inFlight[i] = nil
        }
        if let error = failure { throw error }
    }

    /// Writes the first `count` bytes of `block` (a multiple of the alignment).
    private func writeOut(_ block: UnsafeMutableRawBufferPointer, count: Int) throws {
        do {
            try writeRaw(block, from: 0, count: count)
        } catch is DirectWriteRefused {
            // Some file systems accept the O_DIRECT open but refuse the write: continue without it.
            try leaveDirectMode()
            try writeRaw(block, from: 0, count: count)
        }
    }

    private struct DirectWriteRefused: Error {}

    private func writeRaw(_ block: UnsafeMutableRawBufferPointer, from start: Int, count: Int) throws {
        var offset = start
        let end = start + count
        while offset < end {
            let n = Glibc.write(fd, block.baseAddress! + offset, end - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && direct && offset == start { throw DirectWriteRefused() }
                throw IOError.system(.write, path: path)
            }
            offset += n
        }
    }

    func leaveDirectMode() throws {
        guard direct else { return }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~Self.directFlag) == 0 else {
            throw IOError.system(.write, path: path)
        }
        direct = false
    }
}
