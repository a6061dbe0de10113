import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultIO

/// A copy made inside the kernel (`DirectFileWriter+KernelCopy.swift`) must come out byte for byte, and
/// what `finish()` hashes must be the copy as written, not the source: the backup names an object only
/// when that hash is its name.
@Suite("kernel copy")
struct KernelCopyTests {
    @Test(
        "every size is copied exactly, and the read-back digest is the copy's",
        arguments: DirectFileWriterTests.sizes, DirectFileWriterTests.folders)
    func exactCopy(size: Int, folder: String) throws {
        let source = "\(folder)/casevault-copy-source-\(UUID().uuidString)"
        let target = "\(folder)/casevault-copy-target-\(UUID().uuidString)"
        defer {
            unlink(source)
            unlink(target)
        }
        let bytes = randomBytes(size)
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let input = try FileDescriptorStream(readingFrom: source)
        let digest = try Digest(.sha256)
        let writer = try DirectFileWriter(creating: target, mode: 0o600, expectedSize: Int64(size), wipes: false)
        #expect(writer.copyInKernel(from: input.fd, readingBackInto: digest) == Int64(size))
        try writer.finish()
        #expect(writer.byteCount == UInt64(size))
        #expect(sameBytes(try readFile(target), bytes))
        #expect(try digest.finalize() == Digest.hash(.sha256, bytes))
    }

    @Test("the digest is of the bytes in the new file: a byte changed after the copy changes it")
    func readsBackTheCopy() throws {
        let folder = try TemporaryFolder()
        let bytes = randomBytes(3 << 20)
        let source = try folder.write("source", bytes)
        let input = try FileDescriptorStream(readingFrom: source)
        let digest = try Digest(.sha256)
        let writer = try DirectFileWriter(creating: folder.file("target"), mode: 0o600)
        #expect(writer.copyInKernel(from: input.fd, readingBackInto: digest) == Int64(bytes.count))
        // What a faulty copy would leave: one byte of the new file differs from the source.
        var flipped = bytes[2_000_000] ^ 0x40
        #expect(pwrite(writer.fd, &flipped, 1, 2_000_000) == 1)
        try writer.finish()
        var expected = bytes
        expected[2_000_000] = flipped
        #expect(try digest.finalize() == Digest.hash(.sha256, expected))
    }

    @Test("a source the kernel cannot copy from (a pipe) gives nil, for a copy through memory instead")
    func refusedSource() throws {
        let folder = try TemporaryFolder()
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        let writer = try DirectFileWriter(creating: folder.file("target"), mode: 0o600)
        #expect(writer.copyInKernel(from: ends[0], readingBackInto: try Digest(.sha256)) == nil)
    }
}
