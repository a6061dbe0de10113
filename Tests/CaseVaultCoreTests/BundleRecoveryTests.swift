import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// An admin admitted by the recovery key (every admin's passphrase lost) signs custody events like any member:
/// a bundle carries the `recovery.key` entry and the `recovery.restore` that bound their key, and verifies
/// their events; without the recovery key's entry the restore, and every event after it, is named.
@Suite("Custody: bundles with a member admitted by the recovery key")
struct BundleRecoveryTests {
    /// An item noted by nora, admitted by recovery, and exported by her.
    func bundle() throws -> (Team, String, restore: Int) {
        let (team, setup) = try RecoveryTests.teamWithRecovery()
        let item = try team.addItem(Array("acta".utf8))
        _ = try team.vault.restoreFromRecovery(
            shares: Array(setup.shares.prefix(3)), name: "nora", newPassphrase: secret("nora passphrase"))
        let restore = try #require(try team.vault.keyBindingEntries(of: "nora").last)
        let nora = try team.vault.unlock("nora", passphrase: secret("nora passphrase"))
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "revisado"), by: nora)
        let folder = team.folder.file("bundle")
        let recipient = try X25519Identity.generate().recipient.description
        try team.vault.exportBundle(
            [item.id], payload: .encrypted(.recipient(recipient)), to: folder, purpose: nil, by: nora)
        return (team, folder, restore)
    }

    @Test("the restored admin's events verify, and her key is listed and bound by the restore")
    func restoredSigner() throws {
        let (team, folder, restore) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let result = try CustodyBundle.verify(folder: folder)
        #expect(result.ok, "\(result.problems)")
        let listed = String(decoding: try readFile(folder + "/data/keys/members.txt"), as: UTF8.self)
        #expect(listed.split(separator: "\n").contains { $0.hasPrefix("nora+") })
        #expect(FileSystem.isRegularFile("\(folder)/data/keys/bindings/\(restore).der"))
    }

    @Test("the recovery key's entry removed: the restore is named")
    func recoveryKeyRemoved() throws {
        let (team, folder, restore) = try bundle()
        defer { withExtendedLifetime(team) {} }
        let names = FileSystem.contents(of: folder + "/data/keys/bindings").filter { $0.hasSuffix(".entry") }
        // The recovery key that signed the restore: the last set before it (the restore sets a new one after).
        var recoveryKeys: [Int] = []
        for name in names {
            let text = String(decoding: try readFile("\(folder)/data/keys/bindings/\(name)"), as: UTF8.self)
            if text.contains("\ntype recovery.key\n"), let index = Int(name.dropLast(".entry".count)) {
                recoveryKeys.append(index)
            }
        }
        let index = try #require(recoveryKeys.filter { $0 < restore }.max())
        for ext in ["entry", "proof"] { unlink("\(folder)/data/keys/bindings/\(index).\(ext)") }
        try BundleTamperTests().rewriteManifests(folder)
        let result = try CustodyBundle.verify(folder: folder)
        #expect(!result.ok)
        #expect(
            result.problems.contains { $0.contains("entry \(restore): no recovery.key entry") }, "\(result.problems)")
    }
}
