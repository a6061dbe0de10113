import CaseVaultTestSupport
import Foundation
import Testing

/// File names are stored as the user's file had them, up to the 255 bytes most file systems allow. Getting
/// one back must work whatever its length (the temporary name must not be longer than the final one), and a
/// name that the destination cannot hold (an export adds `.age`) is shortened keeping its extension, and said.
@Suite("long file names")
struct LongNameTests {
    static let name = String(repeating: "declaración-", count: 19) + "fin.pdf"

    @Test("a 255-byte file name is added and got back under its own name")
    func fullLengthName() throws {
        let exact = String(repeating: "x", count: 255 - Self.name.utf8.count) + Self.name
        #expect(exact.utf8.count == 255)
        let team = try TeamVault()
        let item = try team.add(exact, "contenido\n")
        let outputs = try TemporaryFolder()
        var cli = team.cli
        cli.workingDirectory = outputs.path
        let result = try cli.run(["get", item], env: team.acting("lucia"))
        #expect(result.code == 0, "\(result.stderr)")
        #expect(outputs.names == [exact])
        #expect(try outputs.read(exact) == Array("contenido\n".utf8))
    }

    @Test("an export whose name would pass 255 bytes is shortened, keeping .pdf.age, and says so")
    func exportShortened() throws {
        let exact = String(repeating: "y", count: 255 - Self.name.utf8.count) + Self.name
        let team = try TeamVault()
        let item = try team.add(exact, "contenido\n")
        let key = team.folder.file("partner.key")
        #expect(try team.cli.run(["age", "keygen", "-o", key]).code == 0)
        let recipient = try team.cli.run(["age", "keygen", "-y", key]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let outputs = try TemporaryFolder()
        var cli = team.cli
        cli.workingDirectory = outputs.path
        let result = try cli.run(["export", item, "--to", recipient], env: team.acting("lucia"))
        #expect(result.code == 0, "\(result.stderr)")
        let written = try #require(outputs.names.first)
        #expect(outputs.names.count == 1)
        #expect(written.utf8.count <= 255)
        #expect(written.hasSuffix(".pdf.age"))
        #expect(written.hasPrefix(String(repeating: "y", count: 255 - Self.name.utf8.count) + "declaración-"))
        #expect(result.stderr.contains("too long"))
    }
}
