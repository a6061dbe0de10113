import Foundation

/// Runs other programs for tests: the built `casevault`, the reference `age`, `sqlite3`, `python3`.
///
/// Standard output and error go to files, not pipes, so a chatty process can never block on a full pipe and
/// no reader threads are needed; standard input comes from a file too (or /dev/null).
public enum ProcessRunner {
    /// How a finished process ended and what it printed.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        /// Diagnostics, read as text for failure messages.
        public let stderr: String

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        /// Both outputs, for a failure message.
        public var output: String { stdoutText + stderr }
    }

    /// A started process; `finish()` waits for it and collects its output.
    public struct Running {
        public let process: Process
        let files: [String]

        public func finish() throws -> Result {
            process.waitUntilExit()
            defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
            return Result(
                status: process.terminationStatus, stdout: try readFile(files[0]),
                stderr: String(decoding: try readFile(files[1]), as: UTF8.self))
        }
    }

    /// Runs `arguments` (a program name looked up on PATH, or a path) to the end.
    @discardableResult
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        stdin: [UInt8]? = nil
    ) throws -> Result {
        try start(arguments, environment: environment, workingDirectory: workingDirectory, stdin: stdin).finish()
    }

    /// Starts `arguments` without waiting. The output files live in `workingDirectory` when given (the test's
    /// own folder), else in the temporary folder; `finish()` removes them.
    public static func start(
        _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        stdin: [UInt8]? = nil
    ) throws -> Running {
        let process = Process()
        // A name goes through env so PATH is searched as a shell would; a path runs directly, so the
        // process identifier is the program's own from the start (tests send it signals).
        if arguments[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let folder = workingDirectory ?? NSTemporaryDirectory()
        let id = UUID().uuidString
        let files = ["\(folder)/.stdout-\(id)", "\(folder)/.stderr-\(id)", "\(folder)/.stdin-\(id)"]
        for file in files.prefix(2) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: files[0]))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: files[1]))
        if let stdin {
            _ = FileManager.default.createFile(atPath: files[2], contents: Data(stdin))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: files[2]))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            for file in files { try? FileManager.default.removeItem(atPath: file) }
            throw error
        }
        return Running(process: process, files: files)
    }

    /// The path of `tool` on PATH (or in the usual system folders), or nil when it is not installed.
    public static func path(of tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        return folders.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
