import ArgumentParser
import CaseVaultCLI
import CaseVaultTestSupport
import Foundation
import Testing

@Suite("casevault end to end: help and demo")
struct HelpAndDemoTests {
    /// Every command a user can see, as the words that name it (`[]` is `casevault` itself), read from the
    /// command tree so that a new subcommand is tested without anyone adding it here.
    static let commands: [[String]] = visibleCommands(of: CaseVaultCommand.self, named: [])

    /// `command` and, depth first, every subcommand that help shows. Hidden ones (`shouldDisplay: false`, as
    /// `serve-agent`, which only the CLI itself starts) are left out: help does not list them, so they are not
    /// asked to show an example. `_commandName` is ArgumentParser's own name for a command: the configured
    /// name, or the one derived from the type.
    static func visibleCommands(of command: any ParsableCommand.Type, named path: [String]) -> [[String]] {
        [path]
            + command.configuration.subcommands.filter { $0.configuration.shouldDisplay }.flatMap {
                visibleCommands(of: $0, named: path + [$0._commandName])
            }
    }

    @Test("the command tree yields the root, its commands and their subcommands")
    func commandTreeIsWalked() {
        // An empty list would run the parameterized test below zero times and pass.
        #expect(Self.commands.first == [])
        #expect(Self.commands.count > CaseVaultCommand.configuration.subcommands.count)
        #expect(Self.commands.contains { $0.count == 2 })
        #expect(Set(Self.commands).count == Self.commands.count)
    }

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
