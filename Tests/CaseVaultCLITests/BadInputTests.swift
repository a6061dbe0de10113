import Foundation
import Testing

/// Bad input: one plain line on stderr, the documented exit code, and a vault left exactly as it was.
@Suite("casevault end to end: bad input changes nothing")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: Int32
        /// Arguments; "ITEM" is replaced by a real item id, "DIR" and "FILE" by paths in the test folder.
        let arguments: [String]
        let member: String?
        /// A fragment the message must contain (its hint).
        let says: String

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "missing file", code: Code.inputMissing,
            arguments: ["add", TeamVault.caseID, "FILE/nope.txt"],
            member: "lucia", says: "does not exist"),
        Case(
            name: "an empty folder", code: Code.usage, arguments: ["add", TeamVault.caseID, "DIR"],
            member: "lucia",
            says: "holds no files to add"),
        Case(
            name: "unknown case", code: Code.inputMissing,
            arguments: ["add", "NO-SUCH-CASE", "FILE/evidence.txt"],
            member: "lucia", says: "case list"),
        Case(
            name: "unknown item (show)", code: Code.inputMissing,
            arguments: ["show", "it_0000000000000000"], member: nil,
            says: "casevault list"),
        Case(
            name: "unknown item (get)", code: Code.inputMissing,
            arguments: ["get", "it_0000000000000000"], member: "lucia",
            says: "casevault list"),
        Case(
            name: "empty title", code: Code.usage, arguments: ["case", "create", "C-2", "--title", ""],
            member: "lucia", says: "--title is empty"),
        Case(
            name: "title on two lines", code: Code.usage,
            arguments: ["case", "create", "C-2", "--title", "Denuncia\nEl Alto"], member: "lucia",
            says: "must be one line"),
        Case(
            name: "empty readers", code: Code.usage,
            arguments: ["add", TeamVault.caseID, "FILE/evidence.txt", "--readers", ""], member: "lucia",
            says: "names no role"),
        Case(
            name: "empty reason", code: Code.usage, arguments: ["custody", "dispose", "ITEM", "--reason", " "],
            member: "lucia", says: "--reason is empty"),
        // Refused before the signed log records a read that could not happen.
        Case(
            name: "empty output path", code: Code.usage, arguments: ["get", "ITEM", "-o", ""], member: "lucia",
            says: "needs a file path"),
        Case(
            name: "output in a missing folder", code: Code.usage,
            arguments: ["get", "ITEM", "-o", "DIR/missing/out.bin"], member: "lucia", says: "does not exist"),
        Case(
            name: "malformed item id", code: Code.usage, arguments: ["get", "../etc/passwd"],
            member: "lucia",
            says: "not an item id"),
        Case(
            name: "odd member name", code: Code.usage,
            arguments: ["member", "add", "Ana María", "--new-passphrase-file", "FILE/lucia.pass"],
            member: "ana",
            says: "not a valid member name"),
        Case(
            name: "odd case id", code: Code.usage, arguments: ["case", "create", "caso/1; rm -rf"],
            member: "lucia",
            says: "not a valid case id"),
        Case(
            name: "odd role", code: Code.usage, arguments: ["role", "grant", "Lawyer!", "mateo"],
            member: "lucia",
            says: "not a valid role name"),
        Case(
            name: "unknown reader role", code: Code.inputMissing,
            arguments: ["add", TeamVault.caseID, "FILE/evidence.txt", "--readers", "judge"],
            member: "lucia",
            says: "role list"),
        Case(
            name: "wrong passphrase", code: Code.notEntitled,
            arguments: ["add", TeamVault.caseID, "FILE/evidence.txt"],
            member: "wrong", says: "passphrase"),
        Case(
            name: "existing member", code: Code.usage,
            arguments: ["member", "add", "lucia", "--new-passphrase-file", "FILE/lucia.pass"],
            member: "ana",
            says: "already exists"),
        Case(
            name: "existing case", code: Code.usage, arguments: ["case", "create", TeamVault.caseID],
            member: "lucia",
            says: "already exists"),
        Case(
            name: "not an admin", code: Code.notEntitled,
            arguments: ["member", "add", "pedro", "--new-passphrase-file", "FILE/lucia.pass"],
            member: "lucia",
            says: "admin"),
        Case(
            name: "output exists", code: Code.cannotCreate,
            arguments: ["get", "ITEM", "-o", "FILE/evidence.txt"],
            member: "lucia", says: "--force"),
        Case(
            name: "no vault there", code: Code.inputMissing,
            arguments: ["list", "--vault", "DIR/no-vault-here"],
            member: nil, says: "casevault init"),
        Case(
            name: "init over a vault", code: Code.cannotCreate,
            arguments: ["init", "--admin", "eva", "--new-passphrase-file", "FILE/lucia.pass"],
            member: nil,
            says: "not empty"),
        Case(
            name: "bad date", code: Code.usage,
            arguments: ["add", TeamVault.caseID, "FILE/evidence.txt", "--collected-at", "ayer"],
            member: "lucia",
            says: "not a date"),
        Case(
            name: "no acting member", code: Code.usage,
            arguments: ["add", TeamVault.caseID, "FILE/evidence.txt"],
            member: nil, says: "--as NAME"),
    ]

    @Test(arguments: cases)
    func rejected(_ bad: Case) throws {
        let team = try TeamVault()
        let item = try team.add("evidence.txt", "Prueba ficticia\n")
        try FileManager.default.createDirectory(
            atPath: team.folder.file("folder"), withIntermediateDirectories: false)
        try team.folder.write("wrong.pass", "not lucia's passphrase\n")
        let arguments = bad.arguments.map {
            $0.replacingOccurrences(of: "ITEM", with: item).replacingOccurrences(
                of: "FILE", with: team.folder.path
            )
            .replacingOccurrences(of: "DIR", with: team.folder.file("folder"))
        }
        var env: [String: String] = [:]
        if let member = bad.member {
            env = team.acting(member == "wrong" ? "lucia" : member)
            if member == "wrong" { env["CASEVAULT_PASSPHRASE_FILE"] = team.folder.file("wrong.pass") }
        }
        let before = try team.snapshot()
        let result = try team.cli.run(arguments, env: env)
        let after = try team.snapshot()

        #expect(result.code == bad.code, "\(result.stderr)")
        #expect(result.errorLines.count == 1, "expected one line, got: \(result.stderr)")
        #expect(result.errorLines.first?.hasPrefix("casevault: ") == true, "\(result.stderr)")
        #expect(result.stderr.contains(bad.says), "\(result.stderr)")
        #expect(!result.stderr.contains("passphrase of"), "a passphrase leaked: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        for (part, value) in before where after[part] != value {
            Issue.record("\(part) changed after `casevault \(arguments.joined(separator: " "))`")
        }
    }
}
