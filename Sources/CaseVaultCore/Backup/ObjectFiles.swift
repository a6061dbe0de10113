import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// Objects between folders: hashing one against its name, and copying one so that it appears at its
/// address only whole, durable and with the bytes its name promises. Objects are immutable and named by
/// content, so an object present under its name in both folders is the same object (once checked).
enum ObjectFiles {
    /// `objects/xx/<name>` under `folder` (a vault or a backup).
    static func path(_ name: String, in folder: String) -> String { "\(folder)/objects/\(name.prefix(2))/\(name)" }

    /// Whether `name` looks like an object name (64 lowercase hex digits).
    static func isName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The SHA-256 (hex) of the file at `path` and its size; nil when it cannot be read.
    static func hash(_ path: String) -> (sha256: String, size: Int64)? {
        guard let source = try? FileSystem.openRegularFile(path), let digest = try? Digest(.sha256) else {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: Int64 = 0
        do {
            while true {
                let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if count == 0 { break }
                try buffer.withUnsafeBytes { try digest.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                size += Int64(count)
            }
            return (Hex.encode(try digest.finalize()), size)
        } catch {
            return nil
        }
    }

    /// Whether the file at `path` is the object `name` (its bytes hash to its name).
    static func isIntact(_ name: String, at path: String) -> Bool { hash(path)?.sha256 == name }

    /// Copies object `name` from `source` (a vault or backup folder) into `target`'s objects, through a
    /// temporary file that is fsynced, checked against the name, renamed into place and its folder
    /// fsynced. Returns the bytes copied, or nil (and nothing written) when the source's bytes do not
    /// hash to the name or cannot be read.
    ///
    /// The copy is made inside the kernel where it can be (`DirectFileWriter+KernelCopy.swift`: the bytes
    /// checked are the copy's, read back while it is fsynced), and through this process's memory where not
    /// (a file system without it) or where that copy failed. `inKernel` false goes straight to the copy
    /// through memory (tests).
    static func copy(
        _ name: String, from source: String, to target: String, replacing: Bool = false, inKernel: Bool = true
    ) throws -> Int64? {
        guard let input = try? FileSystem.openRegularFile(path(name, in: source)) else { return nil }
        let folder = "\(target)/objects/\(name.prefix(2))"
        if !FileSystem.isDirectory(folder) {
            try FileSystem.makeDirectories(folder)
            try FileSystem.syncFolder("\(target)/objects")
        }
        var info = stat()
        let destination = Destination(
            path: path(name, in: target), name: name, replacing: replacing,
            expectedSize: fstat(input.fd, &info) == 0 ? Int64(info.st_size) : nil)
        // The kernel's copy failing any check (it would not copy, copied another length, could not make its copy
        // durable or read it back, or made one that does not hash to the name) is dropped uncommitted, leaving
        // nothing behind; the copy through memory then tells a damaged source (nil, naming the item) from a
        // failure of the kernel's copy, and a write error from a read error.
        let kernelCopy = inKernel ? try copyInKernel(input, to: destination) : nil
        guard let (copy, size) = try kernelCopy ?? copyThroughMemory(input, to: destination) else { return nil }
        do { try copy.commit() } catch let error as IOError where error.code == .exists {
            // Another backup of the same folder placed it meanwhile: the same bytes, by its name, fsynced
            // before it was named; its name is made durable here, as for a copy of this run.
            try FileSystem.syncFolder(folder)
        }
        return size
    }

    /// Where a copy goes, and what it must be.
    private struct Destination {
        let path: String
        let name: String
        let replacing: Bool
        let expectedSize: Int64?

        /// A new sink for the copy. Ciphertext: the writer's blocks need no wiping.
        func sink(digest: Digest? = nil) throws -> AtomicFileSink {
            try AtomicFileSink(
                path: path, mode: 0o600, overwrite: replacing, digest: digest, expectedSize: expectedSize,
                wipes: false)
        }
    }

    /// The copy made inside the kernel, finished and checked against its name, with its size; nil when any
    /// step or check fails.
    private static func copyInKernel(_ input: FileDescriptorStream, to destination: Destination) throws -> (
        AtomicFileSink, Int64
    )? {
        let digest = try Digest(.sha256)
        let copy = try destination.sink()
        guard let size = copy.copyInKernel(from: input.fd, readingBackInto: digest), size == destination.expectedSize,
            (try? copy.finish()) != nil, Hex.encode(try digest.finalize()) == destination.name
        else { return nil }
        return (copy, size)
    }

    /// The copy made through memory from the start of `input`, in blocks of 1 MiB, finished and checked
    /// against its name, with its size; nil when `input` cannot be read or its bytes do not hash to the name.
    private static func copyThroughMemory(_ input: FileDescriptorStream, to destination: Destination) throws -> (
        AtomicFileSink, Int64
    )? {
        guard lseek(input.fd, 0, SEEK_SET) == 0 else { return nil }
        let digest = try Digest(.sha256)
        let copy = try destination.sink(digest: digest)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: Int64 = 0
        do {
            while true {
                let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                if count == 0 { break }
                try buffer.withUnsafeBytes { try copy.write(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                size += Int64(count)
            }
        } catch let error as IOError where error.code == .read {
            return nil
        }
        try copy.finish()
        // Dropping the sink uncommitted leaves nothing behind: a damaged source never reaches the target.
        guard Hex.encode(try digest.finalize()) == destination.name else { return nil }
        return (copy, size)
    }

    /// Every object name under `folder/objects`.
    static func all(in folder: String) -> [String] {
        ObjectStore(vaultPath: folder).allObjects().filter(isName)
    }
}
