import CaseVaultTestSupport
import Foundation
import Testing

@Suite("casevault end to end: help and demo")
struct HelpAndDemoTests {
    static let commands: [[String]] = [
        [], ["init"], ["keygen"], ["member"], ["member", "add"], ["member", "list"],
        ["member", "show"], ["role"],
        ["role", "grant"], ["role", "revoke"], ["role", "list"], ["case"], ["case", "create"],
        ["case", "list"],
        ["case", "show"], ["add"], ["list"], ["show"], ["get"], ["export"], ["unlock"], ["lock"], ["demo"], ["age"],
        ["age", "keygen"],
        ["age", "encrypt"], ["age", "decrypt"],
    ]

    @Test("every command's --help shows an example", arguments: commands)
    func helpHasExample(_ command: [String]) throws {
        let folder = try TemporaryFolder()
        let result = try CLI(folder: folder).run(command + ["--help"])
        #expect(result.code == 0)
        #expect(
            result.stdout.contains("Example:"),
            "no example in `casevault \(command.joined(separator: " ")) --help`")
        #expect(
            result.stdout.contains(
                "casevault \(command.joined(separator: " "))".trimmingCharacters(in: .whitespaces)))
    }

    @Test("the demo runs to completion without a terminal and refuses the psychologist")
    func demo() throws {
        let folder = try TemporaryFolder()
        let target = folder.file("demo")
        let result = try CLI(folder: folder).run([
            "demo", target, "--keys", CLI.packageRoot + "/Keys/demo",
        ])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("identical"))
        #expect(result.stdout.contains("refused (exit code 77)"))
        #expect(result.stdout.contains("title: (encrypted)"))
        #expect(FileManager.default.fileExists(atPath: target + "/casevault/vault.sqlite"))
        // The demo vault is a real vault: the CLI lists it.
        let listed = try CLI(folder: folder).run(["list", "--json", "--vault", target + "/casevault"])
        #expect(try decodeJSON([ItemJSON].self, listed.stdout).count == 5)
    }

    @Test("the demo refuses a folder that is not empty")
    func demoRefusesUsedFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("something.txt", "x")
        let result = try CLI(folder: folder).run(["demo", folder.path])
        #expect(result.code == Code.cannotCreate)
        #expect(result.errorLines.count == 1)
    }

    @Test(
        "completion scripts are generated for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) throws {
        let folder = try TemporaryFolder()
        let result = try CLI(folder: folder).run(["--generate-completion-script", shell])
        #expect(result.code == 0)
        #expect(result.stdout.contains("casevault"))
        #expect(result.stdout.contains("member"))
    }
}
