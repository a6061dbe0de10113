import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A bundle carries every key each member had, with the entries that bound them: an event signed before its
/// author's rekey verifies with the key bound then; `keys/members.txt` must list exactly the bound keys; and
/// who acted, with position and institution, must be what the signed entries state.
@Suite("Custody: bundles across a rekey, the listed keys, and the people named")
struct BundleKeyHistoryTests {
    /// An item noted by luis before and after his rekey (and his profile), exported by him to a bundle.
    func bundle() throws -> (Team, Item, String, rekey: Int, before: Int) {
        let team = try Team()
        try team.vault.setProfile(
            of: "luis", PersonProfile(fullName: "Luis Mamani", position: "Abogado", institution: "Fundación Voces"),
            by: team.admin)
        let item = try team.addItem(Array("foto de la denuncia".utf8))
        let before = try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "antes"), by: team.lawyer)
        try team.vault.rekey(team.lawyer, newPassphrase: secret("nueva"))
        let rekey = try team.vault.keyBindingEntries(of: "luis").last!
        let luis = try team.vault.unlock("luis", passphrase: secret("nueva"))
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "después"), by: luis)
        let folder = team.folder.file("bundle")
        let recipient = try X25519Identity.generate().recipient.description
        try team.vault.exportBundle(
            [item.id], payload: .encrypted(.recipient(recipient)), to: folder, purpose: nil, by: luis)
        return (team, item, folder, rekey, before)
    }

    @Test("a rekey between two events: the bundle verifies each against the key bound at its position")
    func acrossRekey() throws {
        let (team, item, folder, rekey, _) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        #expect(result.items.first?.events.count == 4)
        // Both of luis's keys are listed, and each binding's key is there as DER for openssl.
        let listed = String(decoding: try readFile(folder + "/data/keys/members.txt"), as: UTF8.self)
        #expect(listed.split(separator: "\n").filter { $0.hasPrefix("luis+") }.count == 2)
        #expect(FileSystem.isRegularFile("\(folder)/data/keys/bindings/\(rekey).der"))
        let record = try JSONDecoder().decode(
            CustodyRecord.self, from: Data(try readFile("\(folder)/data/items/\(item.id)/custody.json")))
        let fingerprints = record.events.compactMap { $0.actor?.fingerprint }
        #expect(Set(fingerprints).count == 2)  // the old key before the rekey, the new one after
    }

    @Test("the old key's binding removed, manifests rewritten: the events signed with it are named")
    func oldKeyRemoved() throws {
        let (team, item, folder, _, before) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let added = try team.vault.keyBindingEntries(of: "luis").first!
        for ext in ["entry", "proof", "der"] { unlink("\(folder)/data/keys/bindings/\(added).\(ext)") }
        try BundleTamperTests().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains("\(item.id) entry \(before): no entry of keys/bindings binds a key to luis before it"))
    }

    @Test("keys/members.txt without a bound key, or with one no entry binds: each named")
    func listedKeys() throws {
        let (team, _, folder, rekey, _) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let path = folder + "/data/keys/members.txt"
        let lines = String(decoding: try readFile(path), as: UTF8.self).split(separator: "\n").map(String.init)
        let stranger = try SignedEntry.verifierKey(name: "mario", signingKeyHex: String(repeating: "7", count: 64))
        let forged = lines.filter {
            !$0.hasPrefix("luis+") || lines.firstIndex(of: $0) != lines.lastIndex { $0.hasPrefix("luis+") }
        }
        try Data((forged + [stranger.text]).map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        try BundleTamperTests().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(problems.contains("keys/members.txt: it lacks the key that entry \(rekey) binds to luis"))
        #expect(problems.contains("keys/members.txt: the key listed for mario is bound to mario by no proved entry"))
        #expect(problems.count == 2, "\(problems)")
    }

    @Test("custody.json naming another position than the signed profile, manifests rewritten: the field is named")
    func changedPosition() throws {
        let (team, item, folder, _, before) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let path = "\(folder)/data/items/\(item.id)/custody.json"
        let text = String(decoding: try readFile(path), as: UTF8.self)
        #expect(text.contains("\"position\" : \"Abogado\""))
        try Data(text.replacingOccurrences(of: "\"Abogado\"", with: "\"Fiscal\"").utf8).write(
            to: URL(fileURLWithPath: path))
        try BundleTamperTests().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(
            problems.contains(
                "items/\(item.id)/custody.json: entry \(before)'s actor position is not what the signed entries state"))
        #expect(
            problems.contains(
                "items/\(item.id)/custody.json: the holder's position is not what the signed entries state"))
        #expect(problems.allSatisfy { $0.hasSuffix("position is not what the signed entries state") }, "\(problems)")
    }
}

extension BundleKeyHistoryTests {
    @Test("the genesis of another vault in its place: named, since its leaf hash is not the vault id")
    func otherGenesis() throws {
        let (team, _, folder, _, _) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let other = try BundleKeyHistoryTests().bundle()
        defer { withExtendedLifetime(other.0) {} }
        for ext in ["entry", "proof"] {
            try Data(try readFile("\(other.2)/data/keys/bindings/0.\(ext)")).write(
                to: URL(fileURLWithPath: "\(folder)/data/keys/bindings/0.\(ext)"))
        }
        try BundleTamperTests().rewriteManifests(folder)
        let problems = try CustodyBundle.verify(folder: folder).problems
        #expect(problems.contains("keys/bindings/0.entry: the genesis is not that of the vault checkpoint.txt names"))
    }
}
