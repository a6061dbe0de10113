import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// An item added in a batch has an unsigned intake entry: its bundle carries the `run.seal` that signs it
/// (`seals/`), and verification without the vault checks the seal covers it.
@Suite("Custody: bundles of items added in a batch")
struct BundleSealTests {
    typealias Tamper = BundleTamperTests

    /// Three files added in one batch; a bundle of the second one.
    func bundle() throws -> (Team, Item, String) {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let paths = try (0..<3).map { try team.folder.write("f\($0)", randomBytes(200)) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer)
        let folder = team.folder.file("bundle")
        let recipient = try X25519Identity.generate().recipient.description
        try team.vault.exportBundle(
            [items[1].id], payload: .encrypted(.recipient(recipient)), to: folder, purpose: nil, by: team.lawyer)
        return (team, items[1], folder)
    }

    func seals(_ folder: String, _ item: Item) -> String { "\(folder)/data/items/\(item.id)/seals" }

    @Test("a batch item's bundle holds its unsigned intake and the seal that signs it, and verifies")
    func honest() throws {
        let (team, item, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        let sealFiles = FileSystem.contents(of: seals(folder, item)).sorted()
        #expect(sealFiles.count == 2 && sealFiles[0].hasSuffix(".entry") && sealFiles[1].hasSuffix(".proof"))
        // The seal carries no item data: only its count.
        let seal = try SignedEntry.parseStored(try readFile(seals(folder, item) + "/" + sealFiles[0])).entry
        #expect(seal.type == .runSeal && seal.fields.map(\.key) == ["covers"])
    }

    @Test("the seal removed, even with the manifests rewritten: the intake is named as unsigned")
    func sealRemoved() throws {
        let (team, item, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        FileSystem.removeTree(seals(folder, item))
        try Tamper().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains { $0.contains("it is unsigned, and seals/ holds no run.seal after it") }, "\(problems)")
    }

    @Test("another run's seal, genuine and proved, in place of the intake's own: it does not cover the intake")
    func otherRunsSeal() throws {
        let (team, item, _) = try bundle()
        // A second batch by the same member after the item's, then a bundle whose checkpoint holds it.
        let paths = try (0..<2).map { try team.folder.write("g\($0)", randomBytes(50)) }
        try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer)
        let folder = team.folder.file("second")
        try team.vault.exportBundle([item.id], payload: .plaintext, to: folder, purpose: nil, by: team.lawyer)
        #expect(try CustodyBundle.verify(folder: folder).ok)
        // The later seal, signed and proved against this bundle's checkpoint, as the intake's only seal.
        let later = try #require(try team.vault.auditEntries().last { $0.type == "run.seal" }).index
        let note = try team.vault.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [later])
        }
        FileSystem.removeTree(seals(folder, item))
        try FileSystem.makeDirectories(seals(folder, item))
        try FileSystem.writeNewFile(
            seals(folder, item) + "/\(later).entry", bytes: [UInt8](try #require(note)), mode: 0o644, sync: false)
        try FileSystem.writeNewFile(
            seals(folder, item) + "/\(later).proof", bytes: try team.vault.inclusionProof(ofEntry: later),
            mode: 0o644, sync: false)
        try Tamper().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(problems.contains { $0.contains("is not a run.seal by luis covering it") }, "\(problems)")
        #expect(!problems.contains { $0.hasPrefix("\(item.id) seals/") }, "the later seal itself verifies")
    }

    @Test("every file of seals/ is checked: an extra entry that is no seal, a proof alone, or any other file")
    func extraSealFiles() throws {
        let (team, item, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let events = "\(folder)/data/items/\(item.id)/events"
        let proofs = "\(folder)/data/items/\(item.id)/proofs"
        // The item's last event (its export, a signed entry), copied into seals/ with its proof: it verifies
        // as an entry, but it is no seal.
        let last = try #require(FileSystem.contents(of: events).compactMap { Int($0.dropLast(6)) }.max())
        for (from, name) in [(events, "\(last).entry"), (proofs, "\(last).proof")] {
            try FileSystem.writeNewFile(
                seals(folder, item) + "/" + name, bytes: try readFile(from + "/" + name), mode: 0o644, sync: false)
        }
        try FileSystem.writeNewFile(seals(folder, item) + "/notes.txt", bytes: [0x61], mode: 0o644, sync: false)
        try FileSystem.writeNewFile(seals(folder, item) + "/9999.proof", bytes: [0x61], mode: 0o644, sync: false)
        try Tamper().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(problems.contains("\(item.id) seals/entry \(last): it is not a run.seal"), "\(problems)")
        #expect(problems.contains("\(item.id) seals/notes.txt: not a seal's entry or proof"), "\(problems)")
        #expect(problems.contains("\(item.id) seals/9999.proof: a proof without its entry"), "\(problems)")
        #expect(problems.count == 3, "the intake is still sealed by its own run.seal: \(problems)")
    }

    @Test("a seal's proof removed: named as missing, and the intake it signs as unsigned by a seal that verifies")
    func sealProofMissing() throws {
        let (team, item, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let proof = try #require(FileSystem.contents(of: seals(folder, item)).first { $0.hasSuffix(".proof") })
        let index = proof.dropLast(".proof".count)
        unlink(seals(folder, item) + "/" + proof)
        try Tamper().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains(
                "\(item.id) seals/entry \(index): its inclusion proof (\(index).proof) is missing or not a regular file"
            ),
            "\(problems)")
        #expect(
            problems.contains { $0.contains("seals/\(index).entry, the seal after it, does not verify") }, "\(problems)"
        )
    }

    @Test("an altered intake is refused, its seal beside it")
    func wrongSeal() throws {
        let (team, item, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        // The intake's body edited: its inclusion proof no longer holds, whatever seal stands beside it.
        let events = "\(folder)/data/items/\(item.id)/events"
        let intake = try #require(
            FileSystem.contents(of: events).sorted { Int($0.dropLast(6))! < Int($1.dropLast(6))! }.first)
        let text = String(decoding: try readFile(events + "/" + intake), as: UTF8.self)
        let forged = text.replacingOccurrences(of: "size 200", with: "size 201")
        #expect(forged != text)
        unlink(events + "/" + intake)
        try FileSystem.writeNewFile(events + "/" + intake, bytes: Array(forged.utf8), mode: 0o644, sync: false)
        try Tamper().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(problems.contains { $0.contains("its inclusion proof does not prove") }, "\(problems)")
    }
}
