import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// What a bundle proves beyond each entry's signature: that its checkpoint is of a tree whose entries each
/// sign the log before them, that the key files it ships are what the proved entries bind, and that every
/// field of custody.json is what the signed events state.
@Suite("Custody: a bundle's tree, key files and custody.json, checked against its signed entries")
struct BundleProofTests {
    let tamper = BundleTamperTests()

    func problems(_ folder: String) throws -> [String] {
        try tamper.rewriteManifests(folder)
        return try CustodyBundle.verify(folder: folder).problems
    }

    @Test("real entries at their real indexes, every other leaf filler, re-signed by a member: each entry named")
    func fillerTree() throws {
        let (team, item, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        let data = folder + "/data"
        let original = try Checkpoint(parsing: try SignedNote(parsing: readFile(data + "/checkpoint.txt")).text)
        // A tree of the same size whose leaves are the bundle's entries where it has them and noise elsewhere.
        var entries: [Int: [UInt8]] = [:]
        for (path, index) in Self.files(data, ".entry") { entries[index] = try Merkle.leafHash(readFile(path)) }
        let leaves = try (0..<Int(original.size)).map { try entries[$0] ?? Digest.hash(.sha256, randomBytes(8)) }
        let forged = try LogAuthor(session: team.lawyer).signedNote(
            try Checkpoint(origin: original.origin, size: original.size, rootHash: Merkle.root(leafHashes: leaves))
                .text
        ).bytes
        try Data(forged).write(to: URL(fileURLWithPath: data + "/checkpoint.txt"))
        for (path, index) in Self.files(data, ".proof") {
            let proof = try InclusionProofText(
                index: UInt64(index), proof: Merkle.inclusionProof(index: index, leafHashes: leaves),
                checkpointNote: forged)
            try Data(proof.bytes).write(to: URL(fileURLWithPath: path))
        }
        let found = try problems(folder)
        let last = try #require(tamper.events(folder, item).last.flatMap { Int($0.dropLast(6)) })
        #expect(
            found.contains(
                "\(item.id) entry \(last): its prev line is not the root of the \(last) entries before it in the checkpoint's tree"
            ), "\(found)")
        // The genesis states the empty log before it, which any tree has.
        #expect(!found.contains { $0.contains("entry 0:") })
    }

    /// Every file under `folder` named `N` + `suffix`, with N.
    static func files(_ folder: String, _ suffix: String) -> [(path: String, index: Int)] {
        var out: [(path: String, index: Int)] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            guard name.hasSuffix(suffix), let index = Int(FileSystem.baseName(name).dropLast(suffix.count)) else {
                continue
            }
            out.append((folder + "/" + name, index))
        }
        return out
    }

    @Test("a signer's key file, a binding's key file and signers.json swapped or edited: each named")
    func keyFiles() throws {
        let (team, _, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        let keys = folder + "/data/keys/"
        let mario = try team.vault.keyBindingEntries(of: "mario").last!
        let luis = try team.vault.keyBindingEntries(of: "luis").last!
        let marioKey = try readFile(keys + "bindings/\(mario).der")
        try Data(marioKey).write(to: URL(fileURLWithPath: keys + "luis.der"))
        try Data(marioKey).write(to: URL(fileURLWithPath: keys + "bindings/\(luis).der"))
        try Data(marioKey).write(to: URL(fileURLWithPath: keys + "mario.der"))
        let signers = String(decoding: try readFile(keys + "signers.json"), as: UTF8.self)
        try Data(signers.replacingOccurrences(of: "\"boundBy\" : \(luis)", with: "\"boundBy\" : \(mario)").utf8)
            .write(to: URL(fileURLWithPath: keys + "signers.json"))
        let found = try problems(folder)
        #expect(
            found.sorted() == [
                "keys/bindings/\(luis).der: it is not the key proved entry \(luis) binds",
                "keys/luis.der: it is not the latest key the proved entries bind to luis",
                "keys/mario.der: mario signed no proved event",
                "keys/signers.json: what it states of luis is not what the proved entries bind",
            ], "\(found)")
    }

    @Test("a field added to signers.json is named; the roles earlier exports listed are noted, not checked")
    func signersRole() throws {
        let (team, _, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        let path = folder + "/data/keys/signers.json"
        let signers = String(decoding: try readFile(path), as: UTF8.self)
        // Any other field is a problem.
        try Data(signers.replacingOccurrences(of: "\"name\" :", with: "\"judge\" : true, \"name\" :").utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(try problems(folder) == ["keys/signers.json: it is not the list of signers export writes"])
        // `roles`, a list of role names, is what bundles exported before 2026-12-02 carried: such a bundle still
        // verifies, with a note that the roles were not checked.
        try Data(signers.replacingOccurrences(of: "\"name\" :", with: "\"roles\" : [\"lawyer\"], \"name\" :").utf8)
            .write(to: URL(fileURLWithPath: path))
        try tamper.rewriteManifests(folder)
        let earlier = try CustodyBundle.verify(folder: folder)
        #expect(earlier.problems.isEmpty && earlier.notes.count == 1, "\(earlier.problems)")
        // Nor does a field hidden inside one of a signer's keys (indented deeper than the signer's own), beside
        // the roles.
        #expect(signers.contains("        \"signingKey\" :"))
        try Data(
            signers.replacingOccurrences(of: "\"name\" :", with: "\"roles\" : [\"lawyer\"], \"name\" :")
                .replacingOccurrences(
                    of: "        \"signingKey\" :", with: "        \"judge\" : true, \"signingKey\" :"
                ).utf8
        ).write(to: URL(fileURLWithPath: path))
        #expect(try problems(folder) == ["keys/signers.json: it is not the list of signers export writes"])
        try Data(signers.replacingOccurrences(of: "\"name\" :", with: "\"roles\" : [\"Not a role!\"], \"name\" :").utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(try problems(folder) == ["keys/signers.json: it is not the list of signers export writes"])
    }

    /// `body` edits the item's custody.json as a dictionary; the problems are returned.
    func editRecord(_ body: (inout [String: Any], Item) -> Void) throws -> [String] {
        let (team, item, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        let path = "\(folder)/data/items/\(item.id)/custody.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(readFile(path))) as? [String: Any])
        body(&record, item)
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
        return try problems(folder).map { $0.replacingOccurrences(of: item.id, with: "ITEM") }
    }

    @Test("custody.json's hash, seal, hold, an event's time and fields edited, an event dropped: each named")
    func recordFields() throws {
        let prefix = "items/ITEM/custody.json: "
        #expect(
            try editRecord { record, _ in
                record["sha256"] = String(repeating: "0", count: 64)
                record["sealed"] = true
                record["legalHold"] = ["item": 3]
            } == [
                prefix + "its sha256 is not what the signed entries state",
                prefix + "its sealed is not what the signed entries state",
                prefix + "its legalHold.item is not what the signed entries state",
            ])
        #expect(
            try editRecord { record, _ in
                var events = record["events"] as! [[String: Any]]
                events[1]["time"] = "2020-01-01T00:00:00Z"
                var fields = events[1]["fields"] as! [String: String]
                fields["sha256"] = String(repeating: "0", count: 64)
                events[1]["fields"] = fields
                record["events"] = events
            }.map { $0.replacingOccurrences(of: #"entry \d+'s"#, with: "entry N's", options: .regularExpression) } == [
                prefix + "entry N's time is not what the signed entry states",
                prefix + "entry N's fields is not what the signed entry states",
            ])
        #expect(
            try editRecord { record, _ in
                record["events"] = Array((record["events"] as! [[String: Any]]).dropLast())
            } == [prefix + "its events are not the entries of events/"])
    }

    @Test("a case on hold: the case.hold entry comes with its proof; without it, the hold custody.json states is named")
    func caseHold() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let hold = try team.vault.placeHold(.caseFile("C-1"), remarks: CustodyRemarks(text: "orden"), by: team.lawyer)
        let folder = team.folder.file("bundle")
        try team.vault.exportBundle(
            [item.id], payload: .encrypted(.recipient(try X25519Identity.generate().recipient.description)),
            to: folder, purpose: nil, by: team.lawyer)
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        let held = "\(folder)/data/items/\(item.id)/case-hold/"
        #expect(FileSystem.contents(of: held).sorted() == ["\(hold).entry", "\(hold).proof"])
        FileSystem.removeTree(held)
        #expect(
            try problems(folder) == [
                "items/\(item.id)/custody.json: its legalHold.caseHold is not what the signed entries state"
            ])
    }

    @Test("a Payload-Oxum that is not OCTETS.COUNT of the payload: named")
    func oxum() throws {
        let (team, _, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        #expect(BagIt.check(folder: folder).isEmpty)
        let path = folder + "/bag-info.txt"
        let info = String(decoding: try readFile(path), as: UTF8.self)
        let line = try #require(info.split(separator: "\n").first { $0.hasPrefix("Payload-Oxum: ") })
        let actual = String(line.dropFirst("Payload-Oxum: ".count))
        for wrong in ["1.1", actual + "0", "0" + actual] {
            try Data(info.replacingOccurrences(of: String(line), with: "Payload-Oxum: " + wrong).utf8)
                .write(to: URL(fileURLWithPath: path))
            #expect(BagIt.check(folder: folder).contains(.badOxum(found: wrong, actual: actual)), "\(wrong)")
        }
    }

    @Test("a corrupted signature line of checkpoint.txt: one problem, not one per entry")
    func corruptCheckpoint() throws {
        let (team, _, _, folder) = try tamper.bundle()
        defer { withExtendedLifetime(team) {} }
        let path = folder + "/data/checkpoint.txt"
        let text = String(decoding: try readFile(path), as: UTF8.self)
        try Data(text.replacingOccurrences(of: "— luis ", with: "— luis !!").utf8).write(to: URL(fileURLWithPath: path))
        #expect(
            try problems(folder) == [
                "checkpoint.txt: its signatures or its form do not verify; nothing else is checked against it"
            ])
    }
}

/// A real bundle carries the newest checkpoint an auditor cosigned before the export, with a consistency
/// proof to its own checkpoint: the auditor's witness reaches the bundle.
@Suite("Custody: the auditors' witness in a bundle")
struct BundleWitnessTests {
    /// diego, an auditor, cosigns the log; then luis notes the item and exports it.
    func witnessedBundle() throws -> (Team, String, cosignedSize: Int) {
        let team = try Team()
        let item = try team.addItem(Array("foto de la denuncia".utf8))
        try team.vault.addMember(name: "diego", newPassphrase: secret("diego passphrase"), by: team.admin)
        try team.vault.grant(role: "auditor", to: "diego", by: team.admin)
        let diego = try team.vault.unlock("diego", passphrase: secret("diego passphrase"))
        let cosigned = try team.vault.cosignLatestCheckpoint(by: diego, previous: nil, at: 1_780_000_000)
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "uno"), by: team.lawyer)
        let folder = team.folder.file("bundle")
        try team.vault.exportBundle(
            [item.id], payload: .encrypted(.recipient(try X25519Identity.generate().recipient.description)),
            to: folder, purpose: nil, by: team.lawyer)
        let size = try Checkpoint(parsing: SignedNote(parsing: cosigned).text).size
        return (team, folder, Int(size))
    }

    @Test("the cosigned checkpoint and its consistency proof verify; the witness names diego and its size")
    func honest() throws {
        let (team, folder, size) = try witnessedBundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        #expect(result.witness == BundleWitness(size: size, cosigners: ["diego"]))
        #expect(result.treeSize > size)
    }

    @Test("a consistency proof altered, or the cosignature corrupted, manifests rewritten: each named")
    func tampered() throws {
        let (team, folder, _) = try witnessedBundle()
        defer { withExtendedLifetime(team) {} }
        let proofPath = folder + "/data/cosigned/consistency.txt"
        let proof = try readFile(proofPath)
        var altered = proof
        altered[0] = altered[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try Data(altered).write(to: URL(fileURLWithPath: proofPath))
        try BundleTamperTests().rewriteManifests(folder)
        var result = try CustodyBundle.verify(folder: folder)
        #expect(
            result.problems == [
                "cosigned/consistency.txt: it does not prove that checkpoint.txt's tree extends the cosigned one"
            ])
        #expect(result.witness?.cosigners == [])
        try Data(proof).write(to: URL(fileURLWithPath: proofPath))
        let checkpointPath = folder + "/data/cosigned/checkpoint.txt"
        let note = try SignedNote(parsing: readFile(checkpointPath))
        let forged = try SignedNote(
            text: note.text,
            signatures: note.signatures.map { signature in
                guard signature.keyName == "diego" else { return signature }
                var bytes = signature.signature
                bytes[bytes.count - 1] ^= 1
                return SignedNote.Signature(keyName: "diego", keyID: signature.keyID, signature: bytes)
            })
        try Data(forged.bytes).write(to: URL(fileURLWithPath: checkpointPath))
        try BundleTamperTests().rewriteManifests(folder)
        result = try CustodyBundle.verify(folder: folder)
        #expect(result.problems == ["cosigned/checkpoint.txt: its signatures or its form do not verify"])
        #expect(result.witness?.cosigners == [])
    }
}
