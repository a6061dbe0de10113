import Foundation
import Testing

/// Runs the real `age` CLI (and other tools) for interop tests.
enum ExternalTools {
    static func path(of tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    static var ageAvailable: Bool { path(of: "age") != nil && path(of: "age-keygen") != nil }

    struct Result {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// Runs `arguments` with `stdin` fed in, collecting both outputs.
    @discardableResult
    static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: arguments[0]) ?? arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Feed stdin and drain both outputs concurrently so that large data cannot deadlock on a pipe.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errBox = DataBox()
        let errDone = DispatchSemaphore(value: 0)
        Thread {
            errBox.data = error.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errDone.wait()
        let errData = errBox.data
        return Result(
            status: process.terminationStatus, stdout: [UInt8](outData),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a command that asks for a passphrase on its terminal (as `age` does), typing `passphrase`
    /// into a pseudo-terminal each time it asks. Needs python3.
    static func runWithTerminal(_ arguments: [String], passphrase: String, times: Int = 1) throws -> Result {
        let script = """
            import os, pty, sys, time
            args = sys.argv[3:]
            passphrase = sys.argv[1].encode()
            times = int(sys.argv[2])
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp(args[0], args)
            out = b""
            typed = 0
            while True:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
                while typed < times and out.lower().count(b"passphrase") > typed:
                    time.sleep(0.05)
                    os.write(fd, passphrase + b"\\n")
                    typed += 1
            _, status = os.waitpid(pid, 0)
            sys.stderr.write(out.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        return try run(["/usr/bin/python3", "-c", script, passphrase, String(times)] + arguments)
    }
}

/// A temporary folder removed at the end of a test.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "casevault-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name)))) }
}

/// Carries one thread's result to another (the semaphore orders the accesses).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// Byte-array equality that, on failure, records lengths and the first difference instead of letting the
/// test runner print megabytes of both arrays.
func sameBytes(_ actual: [UInt8], _ expected: [UInt8]) -> Bool {
    if actual == expected { return true }
    let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    Issue.record("got \(actual.count) bytes, expected \(expected.count); first difference at \(firstDifference)")
    return false
}
