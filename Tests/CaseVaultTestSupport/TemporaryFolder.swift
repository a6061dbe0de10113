import Foundation

/// A private temporary folder for one test, removed with everything in it when the value goes away.
///
/// Every test target uses this one type, so each test works in a folder of its own and leaves nothing behind.
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path.
    public let path: String

    /// Makes a new, empty folder readable only by this user (tests put keys and plaintext in it).
    public init(prefix: String = "casevault-test") throws {
        let candidate = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        // Not intermediate: the name is fresh, so an existing folder there is an error, never reused.
        try FileManager.default.createDirectory(
            atPath: candidate, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        path = candidate
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the folder (nothing is created).
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `bytes` to `name` in the folder, 0600, and returns its path. Test files stand for passphrase
    /// files and evidence, kept as a careful user keeps them (a passphrase file others can read draws a
    /// warning that would otherwise show in every test).
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        return target
    }

    /// Writes `text` as UTF-8 to `name` in the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// The bytes of `name` in the folder.
    public func read(_ name: String) throws -> [UInt8] { try readFile(file(name)) }

    /// The names in the folder, sorted (hidden ones too).
    public var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The bytes of the file at `path`.
public func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Where tests put scratch files on two kinds of file system: the disk-backed temporary folder and, where
/// present, tmpfs's `/dev/shm`. Tmpfs refuses `O_DIRECT`, and a copy from it to the disk crosses file
/// systems, so the fallbacks of both are exercised.
public let diskAndTmpfsRoots: [String] = {
    var roots = [NSTemporaryDirectory()]
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue {
        roots.append("/dev/shm")
    }
    return roots
}()
