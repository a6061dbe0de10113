import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import Testing

@testable import CaseVaultCore

/// A temporary folder removed when the value goes away.
final class TemporaryFolder: @unchecked Sendable {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/casevault-test-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw IOError.system(.makeFolder, path: NSTemporaryDirectory())
        }
        path = String(cString: made)
    }

    deinit { FileSystem.removeTree(path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `bytes` to a new file in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = file(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw IOError(.create, path: path)
        }
        return path
    }
}

func secret(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

func sha256Hex(_ bytes: [UInt8]) throws -> String { Hex.encode(try Digest.hash(.sha256, bytes)) }

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw IOError(.read, path: path)
    }
    return Array(data)
}

func fileMode(_ path: String) -> mode_t? { FileSystem.mode(of: path) }

/// Key files in tests use a low scrypt work factor so that unlocking is instant.
let testWorkFactor = 8

/// A vault with a small team: ana (admin only), luis (lawyer), paula (psychologist), sofia (social-worker)
/// and mario (mentor). Passphrases are "<name> passphrase".
final class Team: @unchecked Sendable {
    let folder: TemporaryFolder
    let vault: Vault
    let admin: MemberSession
    let lawyer: MemberSession
    let psychologist: MemberSession
    let socialWorker: MemberSession
    let mentor: MemberSession

    var vaultPath: String { folder.file("vault") }

    init(configuration: VaultConfiguration = VaultConfiguration(keyWorkFactor: testWorkFactor)) throws {
        folder = try TemporaryFolder()
        vault = try Vault.create(
            at: folder.file("vault"), admin: "ana", passphrase: secret("ana passphrase"),
            configuration: configuration)
        admin = try vault.unlock("ana", passphrase: secret("ana passphrase"))
        for (name, role) in [
            ("luis", "lawyer"), ("paula", "psychologist"), ("sofia", "social-worker"), ("mario", "mentor"),
        ] {
            try vault.addMember(name: name, newPassphrase: secret("\(name) passphrase"), roles: [role], by: admin)
        }
        lawyer = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        psychologist = try vault.unlock("paula", passphrase: secret("paula passphrase"))
        socialWorker = try vault.unlock("sofia", passphrase: secret("sofia passphrase"))
        mentor = try vault.unlock("mario", passphrase: secret("mario passphrase"))
    }

    /// Creates case `id` (as the lawyer) and adds `bytes` as one item of `itemClass`.
    func addItem(
        _ bytes: [UInt8], caseID: String = "C-1", itemClass: ItemClass = .evidence, readers: [String]? = nil,
        name: String = "input.bin"
    ) throws -> Item {
        if (try? vault.showCase(caseID)) == nil { try vault.createCase(id: caseID, by: lawyer) }
        let path = try folder.write(name, bytes)
        defer { unlink(path) }
        return try vault.add(
            caseID: caseID, files: [path], options: AddOptions(itemClass: itemClass, readers: readers),
            by: lawyer)[0]
    }
}

/// Runs a command and returns its exit status and combined output.
@discardableResult
func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// True when `/usr/bin/NAME` or another PATH entry has the tool.
func haveTool(_ name: String) -> Bool {
    ((try? run(["sh", "-c", "command -v \(name)"]))?.status ?? 1) == 0
}
