import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
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
        // mario's key, bound by his member.add, is what the edited entry is checked against.
        let marioAdd = try team.vault.keyBindingEntries(of: "mario").last!
        #expect(
            problems.contains(
                "\(item.id) entry \(name.dropLast(6)): its signature does not verify with the key entry \(marioAdd) binds to mario"
            ))
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

/// Cosignatures in a bundle count only when the bundle proves the cosigner's key is an auditor's: the entry
/// binding that key to the member and the grant of the auditor role, each with its inclusion proof.
@Suite("Custody: evidence bundles and their cosignatures")
struct BundleCosignatureTests {
    /// A bundle of one item whose checkpoint diego, an auditor, has cosigned.
    func cosignedBundle() throws -> (Team, String) {
        let team = try Team()
        let item = try team.addItem(Array("foto de la denuncia".utf8))
        try team.vault.addMember(name: "diego", newPassphrase: secret("diego passphrase"), by: team.admin)
        try team.vault.grant(role: "auditor", to: "diego", by: team.admin)
        let diego = try team.vault.unlock("diego", passphrase: secret("diego passphrase"))
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "uno"), by: team.lawyer)
        let folder = team.folder.file("bundle")
        try team.vault.exportBundle(
            [item.id], payload: .encrypted(.recipient(try X25519Identity.generate().recipient.description)),
            to: folder, purpose: nil, by: team.lawyer)
        // The export's checkpoint, cosigned after the bundle was made: its checkpoint and proofs are redone
        // with the cosignature, as a bundle made after the auditor's cosigning would hold.
        let cosigned = try team.vault.cosignLatestCheckpoint(by: diego, previous: nil, at: 1_780_000_000)
        try Self.replaceCheckpoint(in: folder, with: cosigned)
        return (team, folder)
    }

    /// Puts `checkpoint` in place of the bundle's checkpoint, in `checkpoint.txt` and every proof, and rewrites
    /// the manifests: what anyone may do with the unsigned parts of a bundle.
    static func replaceCheckpoint(in folder: String, with checkpoint: [UInt8]) throws {
        let path = folder + "/data/checkpoint.txt"
        let old = String(decoding: try readFile(path), as: UTF8.self)
        let new = String(decoding: checkpoint, as: UTF8.self)
        try Data(checkpoint).write(to: URL(fileURLWithPath: path))
        let enumerator = FileManager.default.enumerator(atPath: folder + "/data")
        while let name = enumerator?.nextObject() as? String {
            guard name.hasSuffix(".proof") else { continue }
            let proof = folder + "/data/" + name
            let text = String(decoding: try readFile(proof), as: UTF8.self).replacingOccurrences(of: old, with: new)
            try Data(text.utf8).write(to: URL(fileURLWithPath: proof))
        }
        try BundleTamperTests().rewriteManifests(folder)
    }

    @Test("an auditor's cosignature verifies, bound to diego by his member.add and his auditor role grant")
    func honest() throws {
        let (team, folder) = try cosignedBundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        #expect(result.checkpointSigners.contains("diego"))
        let bindings = FileSystem.contents(of: folder + "/data/keys/bindings").filter { $0.hasSuffix(".entry") }
        let types = try bindings.map {
            try LogEntry.parse(try SignedNote(parsing: readFile(folder + "/data/keys/bindings/" + $0)).text).type
        }
        #expect(types.contains(.roleGrant) && types.filter { $0 == .memberAdd }.count >= 1)
    }

    @Test("a cosignature by a key named diego that no entry binds to him: verifies as a signature, refused")
    func strangerKey() throws {
        let (team, folder) = try cosignedBundle()
        defer { withExtendedLifetime(team) {} }
        let stranger = try Ed25519.PrivateKey()
        let raw = stranger.publicKey.rawRepresentation
        let key = try NoteVerifierKey(name: "diego", publicKey: stranger.publicKey, type: .cosignatureV1)
        let note = try SignedNote(parsing: readFile(folder + "/data/checkpoint.txt"))
        let time: UInt64 = 1_780_000_000
        let signature = try stranger.signature(
            for: Cosignature.signedMessage(checkpointText: note.text, timestamp: time))
        let line = SignedNote.Signature(
            keyName: "diego", keyID: try NoteKeyName.keyID(name: "diego", type: .cosignatureV1, publicKey: raw),
            signature: (0..<8).map { UInt8(truncatingIfNeeded: time >> (56 - 8 * $0)) } + signature)
        let forged = try SignedNote(
            text: note.text, signatures: note.signatures.filter { $0.keyName != "diego" } + [line])
        try Self.replaceCheckpoint(in: folder, with: forged.bytes)
        try Data((key.text + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/data/keys/cosigners.txt"))
        try BundleTamperTests().rewriteManifests(folder)
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.checkpointSigners.contains("diego"))
        #expect(
            result.problems == ["checkpoint.txt: the cosignature of diego is by a key no proved entry binds to diego"])
    }

    @Test("the auditor role grant left out of the bundle: the cosignature is by no proved auditor")
    func grantLeftOut() throws {
        let (team, folder) = try cosignedBundle()
        defer { withExtendedLifetime(team) {} }
        let bindings = folder + "/data/keys/bindings/"
        for name in FileSystem.contents(of: bindings) where name.hasSuffix(".entry") {
            let entry = try LogEntry.parse(try SignedNote(parsing: readFile(bindings + name)).text)
            guard entry.type == .roleGrant else { continue }
            unlink(bindings + name)
            unlink(bindings + name.replacingOccurrences(of: ".entry", with: ".proof"))
        }
        try BundleTamperTests().rewriteManifests(folder)
        #expect(
            try CustodyBundle.verify(folder: folder).problems == [
                "checkpoint.txt: the cosignature of diego is by no auditor (no proved auditor role grant)"
            ])
    }
}
