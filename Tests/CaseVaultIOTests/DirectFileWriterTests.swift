import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultIO

/// Direct I/O has alignment rules (whole pages, page-aligned offsets) that the writer must hide: every size
/// must come out byte for byte, also where the file system refuses O_DIRECT and the writer falls back.
@Suite("direct file writer")
struct DirectFileWriterTests {
    static let sizes = [0, 1, 4095, 4096, 4097, 65552, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 5]

    /// A disk-backed folder (O_DIRECT works) and, where present, a tmpfs one (it refuses O_DIRECT).
    static let folders = diskAndTmpfsRoots

    @Test("every size is written exactly, in pieces of odd sizes", arguments: sizes, folders)
    func exactBytes(size: Int, folder: String) throws {
        let path = "\(folder)/casevault-direct-\(UUID().uuidString)"
        defer { unlink(path) }
        let bytes = try SystemRandom.bytes(count: size)
        let digest = try Digest(.sha256)
        let writer = try DirectFileWriter(creating: path, mode: 0o600, digest: digest)
        var offset = 0
        var piece = 1
        while offset < bytes.count {
            let n = min(piece, bytes.count - offset)
            try bytes[offset..<offset + n].withUnsafeBytes { try writer.write($0) }
            offset += n
            piece = piece * 3 + 7
        }
        try writer.finish()
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(sameBytes(written, bytes))
        // The background digest saw every byte, in file order.
        #expect(writer.byteCount == UInt64(size))
        #expect(try digest.finalize() == Digest.hash(.sha256, bytes))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
    }

    @Test("an existing file is never overwritten")
    func refusesExisting() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("taken", [1, 2, 3])
        #expect(throws: IOError.self) { try DirectFileWriter(creating: path) }
        #expect(try folder.read("taken") == [1, 2, 3])
    }
}
