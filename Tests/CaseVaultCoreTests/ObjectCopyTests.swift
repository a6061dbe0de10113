import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// `ObjectFiles.copy` (backup, restore, repair) copies inside the kernel where it can and through memory
/// where not. Both ways, on one file system and across two (tmpfs to the disk), must give the object byte for
/// byte, and neither may name a copy whose bytes do not hash to the name.
@Suite("object copies between folders")
struct ObjectCopyTests {
    /// A vault-like folder on the disk and, where present, on tmpfs (a copy from it to the disk crosses file
    /// systems).
    static let sourceRoots = diskAndTmpfsRoots

    /// Writes `bytes` under `folder/objects` by the name `name` (their SHA-256 unless given).
    static func place(_ bytes: [UInt8], in folder: String, name: String? = nil) throws -> String {
        let name = try name ?? Hex.encode(Digest.hash(.sha256, bytes))
        try FileSystem.makeDirectories("\(folder)/objects/\(name.prefix(2))")
        try Data(bytes).write(to: URL(fileURLWithPath: ObjectFiles.path(name, in: folder)))
        return name
    }

    @Test(
        "an object is copied exactly, 0600, in the kernel and through memory, on one file system and across two",
        arguments: [0, 1, 5000, 3 * (1 << 20) + 5], sourceRoots)
    func copies(size: Int, root: String) throws {
        for inKernel in [true, false] { try copy(size: size, root: root, inKernel: inKernel) }
    }

    func copy(size: Int, root: String, inKernel: Bool) throws {
        let source = "\(root)/casevault-objects-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = try TemporaryFolder()
        let bytes = randomBytes(size)
        let name = try Self.place(bytes, in: source)
        #expect(try ObjectFiles.copy(name, from: source, to: target.path, inKernel: inKernel) == Int64(size))
        let copy = ObjectFiles.path(name, in: target.path)
        #expect(sameBytes(try readFile(copy), bytes))
        #expect((try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int) == 0o600)
    }

    @Test(
        "a source whose bytes do not hash to its name is not copied, and leaves nothing",
        arguments: sourceRoots, [true, false])
    func damagedSource(root: String, inKernel: Bool) throws {
        let source = "\(root)/casevault-objects-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: source) }
        let target = try TemporaryFolder()
        var bytes = randomBytes(2 << 20)
        let name = Hex.encode(try Digest.hash(.sha256, bytes))
        bytes[1_500_000] ^= 0x08
        _ = try Self.place(bytes, in: source, name: name)
        #expect(try ObjectFiles.copy(name, from: source, to: target.path, inKernel: inKernel) == nil)
        #expect(FileSystem.contents(of: "\(target.path)/objects/\(name.prefix(2))").isEmpty)
        // And a missing source is nil too, with nothing made.
        #expect(try ObjectFiles.copy(String(repeating: "ab", count: 32), from: source, to: target.path) == nil)
    }
}
