import CaseVaultAge
import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

@Suite("Member passphrase and key replacement")
struct MemberKeysTests {
    @Test("passwd: the same keys under a new passphrase; a wrong current passphrase changes nothing")
    func passwd() throws {
        let team = try Team()
        let path = team.vault.keyFilePath(for: "luis")
        let original = try readFile(path)
        #expect(throws: VaultError.wrongPassphrase(member: "luis")) {
            try team.vault.changePassphrase(member: "luis", passphrase: secret("wrong"), newPassphrase: secret("new"))
        }
        #expect(try readFile(path) == original)
        try team.vault.changePassphrase(
            member: "luis", passphrase: secret("luis passphrase"), newPassphrase: secret("nueva"))
        #expect(fileMode(path).map { $0 & 0o777 } == 0o600)
        #expect(throws: VaultError.wrongPassphrase(member: "luis")) {
            try team.vault.unlock("luis", passphrase: secret("luis passphrase"))
        }
        let session = try team.vault.unlock("luis", passphrase: secret("nueva"))
        #expect(session.recipient == team.lawyer.recipient)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: team.vaultPath + "/keys")
        #expect(leftovers.sorted() == ["ana.age", "luis.age", "mario.age", "paula.age", "sofia.age"])
    }

    @Test("rekey: role keys resealed to the new key; the old key file opens no envelope and signs nothing")
    func rekey() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal)
        let oldKeys = try RemovalTests.savedKeys(team)
        let member = try team.vault.rekey(team.lawyer, newPassphrase: secret("nueva"))
        #expect(member.recipient != team.lawyer.recipient && member.roles == ["lawyer"])
        #expect(!FileManager.default.fileExists(atPath: team.vault.keyFilePath(for: "luis") + ".rekey"))
        let luis = try team.vault.unlock("luis", passphrase: secret("nueva"))
        let out = team.folder.file("acta.out")
        try team.vault.get(item.id, to: .file(path: out), by: luis)
        #expect(try readFile(out) == Array("acta".utf8))
        // The old keys: no envelope in the folder opens with them, and they sign nothing that verifies.
        let probe = try RawKeyProbe(member: oldKeys.identity, databases: [team.vaultPath + "/vault.sqlite"])
        #expect(probe.roleKeys.isEmpty)
        let copy = try copyFolder(team, to: "copy")
        let index = try RemovalTests.forge(
            .itemGet, [("item", item.id), ("output", "file")], by: "luis", keys: oldKeys, in: copy)
        let state = try TemporaryFolder()
        #expect(throws: SignedLogError.entry(index: index, problem: .badSignature)) {
            try Vault.open(at: copy, stateFolder: state.path)
        }
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        let fresh = try TemporaryFolder()
        #expect(
            try Vault.open(at: team.vaultPath, stateFolder: fresh.path).member(named: "luis").recipient
                == member.recipient)
    }

    @Test("member.rekey is signed by the member themselves, with keys no member has")
    func rekeyRules() throws {
        typealias Rules = LogRulesTests
        var state = try Rules.founded()
        let before = state
        #expect(throws: LogProblem.notAuthorized("only a member gives themselves new keys")) {
            try state.apply(
                Rules.entry(
                    .memberRekey, by: "ana",
                    [("member", "luis"), ("recipient", Rules.recipient(8)), ("signing-key", Rules.key(8))]))
        }
        #expect(throws: LogProblem.inconsistent("the new keys of luis belong to a member")) {
            try state.apply(
                Rules.entry(
                    .memberRekey, by: "luis",
                    [("member", "luis"), ("recipient", Rules.recipient(4)), ("signing-key", Rules.key(8))]))
        }
        #expect(state == before)
        try state.apply(
            Rules.entry(
                .memberRekey, by: "luis",
                [("member", "luis"), ("recipient", Rules.recipient(8)), ("signing-key", Rules.key(8))]))
        #expect(state.members["luis"]?.signingKey == Rules.key(8))
        #expect(try state.signingKey(of: Rules.entry(.itemGet, by: "luis", [])) == Rules.key(8))
    }
}
