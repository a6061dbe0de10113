internal import COpenSSL
import CaseVaultCrypto
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Copying a whole file that already exists (an object into a backup, or back from one) inside the kernel.
///
/// Through this process's memory a copy costs a read, a copy into the writer's ring and an O_DIRECT write
/// per MiB, all competing with the hash for two cores. `sendfile` moves the bytes page cache to page cache
/// in one call per chunk (a real copy: `copy_file_range` would clone the blocks on a file system that can, and
/// a backup must not share the vault's sectors), each chunk's writeback started at once, and the fsync then waits for what is
/// left, much as `dd conv=fsync` does. On this machine, for a 51 MiB object: about 110 ms to copy and fsync,
/// against 170 ms of O_DIRECT writes and 90 ms of fsync (Docs/PERFORMANCE.md, "Incremental backup, session 8").
///
/// What is checked is the copy itself: `finish()` reads the new file back (from the page cache, while its
/// fsync writes the same pages out) and feeds every byte to the caller's digest, so a copy whose bytes do
/// not match its name is never named.
extension DirectFileWriter {
    /// Bytes per `sendfile` call: a 4 GiB object is copied in steps that a signal can come between.
    static let kernelCopyChunk = 8 << 20

    /// Fills this new, empty file with file `source`'s bytes from its offset to its end, by a copy inside
    /// the kernel, and has `finish()` feed `digest` every byte of the file as written. Returns the bytes
    /// copied; nil when the kernel would not copy between these two files (another file system, one that
    /// has no such copy) or failed part way: then this file holds an unknown part of the source, and the
    /// caller discards it and copies through memory, which tells a damaged source from a failed write.
    public func copyInKernel(from source: Int32, readingBackInto digest: Digest) -> Int64? {
        precondition(byteCount == 0 && used == 0 && !finished, "a kernel copy fills a new file")
        // A splice into an O_DIRECT file would have to meet O_DIRECT's alignment; this one goes through the
        // page cache, where the read-back finds it.
        guard (try? leaveDirectMode()) != nil else { return nil }
        var total: Int64 = 0
        while true {
            let count = cv_sendfile(fd, source, Self.kernelCopyChunk)
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            // The disk starts on this chunk while the next is copied, so that the fsync in `finish()` waits
            // for the tail only: 51 MiB took 106 ms to copy and fsync so, against 121 ms without (Python,
            // alternating runs, PERFORMANCE.md). Advisory: a failure here is the fsync's to report.
            _ = cv_start_writeback(fd, total, Int64(count))
            total += Int64(count)
        }
        byteCount = UInt64(total)
        readBack = digest
        return total
    }

    /// `finish()` after a kernel copy: the fsync on the caller's thread and the read-back on the hash
    /// queue, at once (one waits for the disk, the other for a core).
    func finishKernelCopy(sync: Bool) throws {
        let group = DispatchGroup()
        // The digest is reached through `self` (Sendable by construction, see its declaration): the hash
        // queue alone touches it until `group.wait()` returns.
        hashQueue.async(group: group) { [self] in
            guard let digest = readBack else { return }
            do { try readBackAll(into: digest) } catch { record(error) }
        }
        let synced = !sync || FileSystem.sync(fd, path: path) == 0
        let syncErrno = errno
        group.wait()
        guard synced else { throw IOError(.sync, path: path, errno: syncErrno) }
        if let error = failure { throw error }
    }

    /// Feeds `digest` the file's `byteCount` bytes, read through the ring's first block.
    private func readBackAll(into digest: Digest) throws {
        let block = blocks[0]
        let size = Int64(byteCount)
        var offset: Int64 = 0
        while offset < size {
            let count = pread(fd, block.baseAddress!, min(block.count, Int(size - offset)), off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                throw IOError.system(.read, path: path)
            }
            // Shorter than what was copied into it: not the copy it should be.
            guard count > 0 else { throw IOError(.read, path: path) }
            filled[0] = max(filled[0], count)
            try digest.update(UnsafeRawBufferPointer(rebasing: block[0..<count]))
            offset += Int64(count)
        }
    }
}
