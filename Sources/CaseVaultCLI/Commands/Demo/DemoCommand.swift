import ArgumentParser
import CaseVaultIO
import Foundation

/// `casevault demo [DIR]`: the README's walkthrough on a fictitious team.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a demo vault with a fictitious team and show what the vault does.",
        discussion: """
            Creates a vault in DIR (new or empty; default: a fresh temporary folder, printed), adds the \
            fictitious team whose public cards and key files are in Keys/demo/, stores sample evidence as a \
            lawyer, reads it back and checks its SHA-256, shows a psychologist being refused a legal \
            document and an auditor listing without content, and says what happened at each step. It needs \
            no terminal: it uses the demo-only passphrases documented in Keys/demo/README.md. Everything in \
            the demo is invented.

            Example:
              casevault demo
              casevault demo /tmp/casevault-demo --keys ./Keys/demo
            """
    )

    @Argument(help: ArgumentHelp("Where to build the demo (new or empty folder).", valueName: "dir"))
    var directory: String?

    @Option(
        help: ArgumentHelp(
            "The demo team's folder (default: Keys/demo found from here or from the casevault binary upwards).",
            valueName: "dir"))
    var keys: String?

    @Flag(help: "Print more detail about errors.")
    var verbose = false

    func validate() throws {
        try InputCheck.validating {
            if let directory, FileSystem.exists(directory) {
                guard FileSystem.isDirectory(directory), FileSystem.isEmptyDirectory(directory)
                else {
                    throw CLIError.cannotCreate(
                        "\(directory) exists and is not an empty folder. Give a new folder for the demo.")
                }
            }
            if let keys, !FileSystem.isDirectory(keys) {
                throw CLIError.inputMissing(
                    "\(keys) is not a folder. Give the Keys/demo folder of the CaseVault sources.")
            }
        }
    }

    func run() async throws {
        try await reportingErrors(verbose: verbose) {
            let keysFolder = try keys ?? DemoTeam.locateKeys()
            let folder = try directory.map(Self.makeFolder) ?? Self.makeTemporaryFolder()
            try DemoScript(folder: folder, keysFolder: keysFolder).run()
        }
    }

    private static func makeFolder(_ path: String) throws -> String {
        if !FileSystem.exists(path) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw CLIError.cannotCreate(
                    "Cannot create \(path). Check the parent folder exists and is writable.")
            }
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func makeTemporaryFolder() throws -> String {
        let base = Environment.value("TMPDIR") ?? "/tmp"
        var template = Array("\(base)/casevault-demo-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CLIError.cannotCreate(
                "Cannot create a temporary folder in \(base): \(Errno.text(errno)). Give a folder: casevault demo DIR."
            )
        }
        return String(cString: made)
    }
}
