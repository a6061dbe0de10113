import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// Evidence bundles checked without the vault: an honest one verifies; one byte altered, an event edited,
/// dropped, reordered or grafted from another item is caught and named, even when the forger also rewrites
/// the bag's manifests (which nobody signs).
@Suite("Custody: evidence bundles and their tampering")
struct BundleTamperTests {
    /// An item with a few events, exported to a bundle (an age file for a fresh key), and a second item.
    func bundle() throws -> (Team, Item, Item, String) {
        let team = try Team()
        let item = try team.addItem(Array("foto de la denuncia".utf8))
        let other = try team.addItem(Array("otra".utf8))
        for text in ["uno", "dos"] {
            try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: text), by: team.lawyer)
        }
        try team.vault.annotateCustody(other.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let folder = team.folder.file("bundle")
        let recipient = try X25519Identity.generate().recipient.description
        try team.vault.exportBundle(
            [item.id, other.id], payload: .encrypted(.recipient(recipient)), to: folder, purpose: nil,
            by: team.lawyer)
        return (team, item, other, folder)
    }

    /// Rewrites every manifest as a forger would, so only the signed contents can give a change away.
    func rewriteManifests(_ folder: String) throws {
        for name in FileSystem.contents(of: folder) where name.hasSuffix(".txt") { unlink(folder + "/" + name) }
        try BagIt.finish(folder: folder, info: [("Bag-Software-Agent", "forger")])
    }

    func events(_ folder: String, _ item: Item) -> [String] {
        FileSystem.contents(of: "\(folder)/data/items/\(item.id)/events").sorted {
            Int($0.dropLast(6))! < Int($1.dropLast(6))!
        }
    }

    @Test("an honest bundle verifies: bag, checkpoint, every event, each chain and each payload")
    func honest() throws {
        let (team, item, other, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        #expect(result.items.map(\.item) == [item.id, other.id].sorted())
        #expect(result.items.allSatisfy { $0.payloadMatches && $0.payload == "age" && $0.gaps.isEmpty })
        // The item's own export is in its chain: the bundle holds the event that made it.
        let kinds = try CustodyBundle.verify(folder: folder).items.first { $0.item == item.id }?.events.count
        #expect(kinds == 4)  // intake, two notes, the export
        #expect(BagIt.check(folder: folder).isEmpty)
    }

    @Test("one byte of the payload altered: the manifest names the file, and the payload is not the exported one")
    func oneByte() throws {
        let (team, item, _, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let path = "\(folder)/data/items/\(item.id)/\(item.id).age"
        var bytes = try readFile(path)
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains("bag: data/items/\(item.id)/\(item.id).age does not match its sha256 in the manifest"))
        #expect(problems.contains("\(item.id): the payload (age) is not the bytes its custody events record"))
    }

    @Test("an event edited, even with the manifests rewritten: its signature does not verify")
    func editedEvent() throws {
        let (team, item, _, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let name = events(folder, item)[1]
        let path = "\(folder)/data/items/\(item.id)/events/\(name)"
        let text = String(decoding: try readFile(path), as: UTF8.self).replacingOccurrences(
            of: "by luis", with: "by mario")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains(
                "\(item.id) entry \(name.dropLast(6)): its signature does not verify with the key of mario"))
    }

    @Test("an event dropped from the middle, manifests rewritten: the next event's link names the gap")
    func droppedEvent() throws {
        let (team, item, _, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let names = events(folder, item)
        let dropped = Int(names[1].dropLast(6))!
        unlink("\(folder)/data/items/\(item.id)/events/\(dropped).entry")
        unlink("\(folder)/data/items/\(item.id)/proofs/\(dropped).proof")
        try rewriteManifests(folder)
        let next = Int(names[2].dropLast(6))!
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains(
                "\(item.id): entry \(next) links to entry \(dropped), but the previous event is entry \(names[0].dropLast(6))"
            ), "\(problems)")
    }

    @Test("two events reordered (their files swapped), manifests rewritten: the proofs and the links say so")
    func reordered() throws {
        let (team, item, _, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let names = events(folder, item)
        let base = "\(folder)/data/items/\(item.id)/events/"
        let first = try readFile(base + names[1])
        let second = try readFile(base + names[2])
        try Data(second).write(to: URL(fileURLWithPath: base + names[1]))
        try Data(first).write(to: URL(fileURLWithPath: base + names[2]))
        try rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains(
                "\(item.id) entry \(names[1].dropLast(6)): its inclusion proof does not prove it is entry \(names[1].dropLast(6)) of the checkpoint"
            ), "\(problems)")
    }

    @Test("another item's event grafted into this item's chain, with its own proof: named as another item's")
    func grafted() throws {
        let (team, item, other, folder) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let foreign = events(folder, other)[1]
        let index = foreign.dropLast(6)
        for (kind, ext) in [("events", "entry"), ("proofs", "proof")] {
            let from = "\(folder)/data/items/\(other.id)/\(kind)/\(index).\(ext)"
            try Data(try readFile(from)).write(
                to: URL(fileURLWithPath: "\(folder)/data/items/\(item.id)/\(kind)/\(index).\(ext)"))
        }
        try rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains("\(item.id): entry \(index) belongs to item \(other.id), not this one"), "\(problems)")
    }
}
