import CaseVaultCLI
import CaseVaultTestSupport
import Foundation
import Testing

/// Runs the built `casevault` binary the way a user would: a separate process, passphrases in files,
/// settings in CASEVAULT_* variables, no terminal and no standard input. The running itself is
/// CaseVaultTestSupport's `ProcessRunner`; what is here is what makes it `casevault`.
struct CLI {
    struct Result {
        let code: Int32
        let stdout: String
        let stderr: String

        init(_ result: ProcessRunner.Result) {
            code = result.status
            stdout = result.stdoutText
            stderr = result.stderr
        }

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

    init(folder: TemporaryFolder) {
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
        Running(
            started: try ProcessRunner.start(
                [Self.binary] + arguments, environment: environment.merging(extra) { $1 },
                workingDirectory: workingDirectory))
    }

    /// A `casevault` process started and not yet waited for (tests signal it, or run several at once).
    struct Running {
        let started: ProcessRunner.Running

        var process: Process { started.process }

        func finish() throws -> Result { Result(try started.finish()) }
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

/// The documented exit codes (Docs/CLI.md), as the CLI target defines them.
enum Code {
    static let success = ExitCodes.success
    static let usage = ExitCodes.usage
    static let inputMissing = ExitCodes.inputMissing
    static let cannotCreate = ExitCodes.cannotCreate
    static let notEntitled = ExitCodes.notEntitled
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}
