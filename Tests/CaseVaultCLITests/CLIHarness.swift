import CaseVaultCLI
import Foundation
import Testing

/// Runs the built `casevault` binary the way a user would: a separate process, passphrases in files,
/// settings in CASEVAULT_* variables, no terminal and no standard input.
struct CLI {
    struct Result {
        let code: Int32
        let stdout: String
        let stderr: String

        /// Standard error without warnings and notes (the lowered test work factor prints one).
        var errorLines: [String] {
            stderr.split(separator: "\n").map(String.init).filter {
                !$0.hasPrefix("casevault: warning:") && !$0.hasPrefix("casevault: note:")
            }
        }
    }

    /// The `casevault` executable SwiftPM built for this test run.
    static let binary: String = locateBinary()

    /// The package root (for Keys/demo).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    var environment: [String: String]
    var workingDirectory: String

    init(folder: TestFolder) {
        workingDirectory = folder.path
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": folder.path,
            "TMPDIR": folder.path,
            "CASEVAULT_DIR": folder.file("vault"),
            // Each test's unlock agents live in its own folder, away from the user's.
            "CASEVAULT_AGENT_DIR": folder.file("agent"),
            // Key files made in tests are weak on purpose, so that unlocking takes milliseconds.
            "CASEVAULT_KEY_WORK_FACTOR": "8",
        ]
    }

    /// Runs `casevault ARGS` with `extra` added to the environment.
    @discardableResult
    func run(_ arguments: [String], env extra: [String: String] = [:]) throws -> Result {
        let process = try start(arguments, env: extra)
        return try process.finish()
    }

    func start(_ arguments: [String], env extra: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.standardInput = FileHandle.nullDevice
        // Output goes to files, not pipes, so that a chatty process can never block on a full pipe.
        let out = workingDirectory + "/.stdout-\(UUID().uuidString)"
        let err = workingDirectory + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        return Running(process: process, stdoutPath: out, stderrPath: err)
    }

    struct Running {
        let process: Process
        let stdoutPath: String
        let stderrPath: String

        func finish() throws -> Result {
            process.waitUntilExit()
            defer {
                try? FileManager.default.removeItem(atPath: stdoutPath)
                try? FileManager.default.removeItem(atPath: stderrPath)
            }
            let read = { (path: String) in
                String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            }
            return Result(
                code: process.terminationStatus, stdout: read(stdoutPath), stderr: read(stderrPath))
        }
    }

    /// Next to the test bundle (SwiftPM puts executables and test products in one folder, whatever
    /// --scratch-path is), else under a .build* folder of the package.
    private static func locateBinary() -> String {
        if let path = ProcessInfo.processInfo.environment["CASEVAULT_TEST_BINARY"] { return path }
        var folders: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append((exe as NSString).deletingLastPathComponent)
        }
        folders.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        folders.append((Bundle.main.bundlePath as NSString).deletingLastPathComponent)
        folders.append(Bundle.main.bundlePath)
        for folder in folders {
            var url = URL(fileURLWithPath: folder)
            for _ in 0..<4 {
                let candidate = url.appendingPathComponent("casevault").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                url.deleteLastPathComponent()
            }
        }
        let root = packageRoot
        let scratch =
            (try? FileManager.default.contentsOfDirectory(atPath: root))?.filter {
                $0.hasPrefix(".build")
            } ?? []
        for name in scratch.sorted() {
            let candidate = "\(root)/\(name)/debug/casevault"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "casevault-binary-not-found"
    }
}

/// A temporary folder for one test, removed afterwards.
final class TestFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "casevault-cli-\(UUID().uuidString)"
            ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        // Test files stand for passphrase files and evidence: 0600, as a careful user keeps them (a
        // passphrase file open to others draws a warning).
        chmod(target, 0o600)
        return target
    }
}

/// The documented exit codes (Docs/CLI.md), as the CLI target defines them.
enum Code {
    static let success = ExitCodes.success
    static let usage = ExitCodes.usage
    static let inputMissing = ExitCodes.inputMissing
    static let cannotCreate = ExitCodes.cannotCreate
    static let notEntitled = ExitCodes.notEntitled
}

func sha256Hex(_ path: String) throws -> String {
    String(try Tool.run("sha256sum", [path]).prefix(64))
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}
