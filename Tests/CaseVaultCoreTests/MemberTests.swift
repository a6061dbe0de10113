import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Vaults, members and keys")
struct MemberTests {
    @Test("init makes a private folder, a 0600 key file, and an admin holding only admin")
    func initLayout() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("vault")
        let vault = try Vault.create(
            at: path, admin: "ana", passphrase: secret("pw"),
            configuration: VaultConfiguration(keyWorkFactor: testWorkFactor))
        #expect(fileMode(path) == 0o700)
        for sub in ["objects", "keys", "tmp"] { #expect(fileMode("\(path)/\(sub)") == 0o700) }
        #expect(fileMode("\(path)/keys/ana.age") == 0o600)
        #expect(fileMode("\(path)/vault.sqlite") == 0o600)
        let members = try vault.members()
        #expect(members.map(\.name) == ["ana"])
        #expect(members[0].roles == ["admin"])
        #expect(try vault.journal().map(\.action) == ["vault.init", "member.add", "role.generate", "role.grant"])
        // The key file is an armored age file with a single scrypt stanza.
        let keyText = String(decoding: try readFile("\(path)/keys/ana.age"), as: UTF8.self)
        #expect(keyText.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"))
        // Opening again reads the same configuration.
        let again = try Vault.open(at: path)
        #expect(again.configuration.roles == VaultConfiguration.defaultRoles)
        #expect(again.configuration.classReaders == VaultConfiguration.defaultClassReaders.mapValues { $0.sorted() })
    }

    @Test("init refuses a non-empty folder and leaves it as it was")
    func initRefusesNonEmpty() throws {
        let folder = try TemporaryFolder()
        try folder.write("something", [1])
        #expect(throws: VaultError.vaultExists(path: folder.path)) {
            try Vault.create(at: folder.path, admin: "ana", passphrase: secret("pw"))
        }
        #expect(FileSystem.contents(of: folder.path) == ["something"])
    }

    @Test("init with extra roles for a one-person team", arguments: [["lawyer"], ["lawyer", "psychologist"]])
    func initExtraRoles(extra: [String]) throws {
        let folder = try TemporaryFolder()
        let vault = try Vault.create(
            at: folder.file("v"), admin: "ana", passphrase: secret("pw"), extraRoles: extra,
            configuration: VaultConfiguration(keyWorkFactor: testWorkFactor))
        #expect(try vault.member(named: "ana").roles == (["admin"] + extra).sorted())
        let ana = try vault.unlock("ana", passphrase: secret("pw"))
        try vault.createCase(id: "solo", title: "Solo", by: ana)
        let path = try folder.write("doc", Array("hello".utf8))
        let item = try vault.add(
            caseID: "solo", files: [path], options: AddOptions(itemClass: .legal, readers: ["lawyer"]), by: ana)[0]
        try vault.get(item.id, to: .file(path: folder.file("out")), by: ana)
        #expect(try vault.showCase("solo", as: ana).title == "Solo")
    }

    @Test("a custom role list is stored and enforced")
    func customRoles() throws {
        let folder = try TemporaryFolder()
        let configuration = VaultConfiguration(
            roles: ["abogada", "admin"],
            classReaders: [.evidence: ["abogada"], .legal: ["abogada"], .clinical: ["abogada"], .social: ["abogada"]],
            caseReaders: ["abogada"], keyWorkFactor: testWorkFactor)
        let vault = try Vault.create(
            at: folder.file("v"), admin: "ana", passphrase: secret("pw"), configuration: configuration)
        #expect(try vault.roles().map(\.name) == ["abogada", "admin"])
        let ana = try vault.unlock("ana", passphrase: secret("pw"))
        #expect(throws: VaultError.unknownRole("lawyer")) { try vault.grant(role: "lawyer", to: "ana", by: ana) }
        let bad = VaultConfiguration(roles: ["lawyer"], keyWorkFactor: testWorkFactor)
        #expect(throws: VaultError.self) {
            try Vault.create(at: folder.file("w"), admin: "ana", passphrase: secret("pw"), configuration: bad)
        }
        #expect(!FileSystem.exists(folder.file("w")))
    }

    @Test("a wrong passphrase is a clear error and changes nothing")
    func wrongPassphrase() throws {
        let team = try Team()
        let before = try team.vault.journal()
        let keyBefore = try readFile(team.vault.keyFilePath(for: "luis"))
        let error = try #require(throws: VaultError.self) {
            try team.vault.unlock("luis", passphrase: secret("luis passphrasE"))
        }
        #expect(error == .wrongPassphrase(member: "luis"))
        // The wording is the CLI's (tested there); no part of the error may carry the passphrase.
        #expect(!String(reflecting: error).contains("passphrasE"))
        #expect(try team.vault.journal() == before)
        #expect(try readFile(team.vault.keyFilePath(for: "luis")) == keyBefore)
    }

    @Test("someone else's key file is refused")
    func keyFileMismatch() throws {
        let team = try Team()
        let error = try #require(throws: VaultError.self) {
            try team.vault.unlock(
                "luis", passphrase: secret("paula passphrase"), keyFile: team.vault.keyFilePath(for: "paula"))
        }
        guard case .keyFileMismatch = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test("keygen on a member's own machine, then member add from the public card")
    func keygenAndCard() throws {
        let team = try Team()
        let keyFile = team.folder.file("elena.age")
        let cardFile = team.folder.file("elena.card.json")
        let card = try Vault.keygen(
            name: "elena", passphrase: secret("elena pw"), keyFile: keyFile, cardFile: cardFile,
            workFactor: testWorkFactor)
        #expect(fileMode(keyFile) == 0o600)
        #expect(card.recipient.hasPrefix("age1"))
        let read = try PublicCard.read(from: cardFile)
        #expect(read == card)
        // Keygen never overwrites.
        #expect(throws: VaultError.self) {
            try Vault.keygen(name: "elena", passphrase: secret("x"), keyFile: keyFile, workFactor: testWorkFactor)
        }

        // The admin adds the member; psychologist already has a holder, so only she can share its keys.
        #expect(throws: VaultError.self) {
            try team.vault.addMember(card: read, roles: ["psychologist"], by: team.admin)
        }
        let member = try team.vault.addMember(card: read, by: team.admin)
        #expect(member.roles == [])
        #expect(member.createdBy == "ana")
        try team.vault.grant(role: "psychologist", to: "elena", by: team.psychologist)
        #expect(!FileSystem.exists(team.vault.keyFilePath(for: "elena")))
        let elena = try team.vault.unlock("elena", passphrase: secret("elena pw"), keyFile: keyFile)
        let item = try team.addItem(Array("notes".utf8), itemClass: .clinical)
        try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: elena)
    }

    @Test("a tampered card is refused")
    func tamperedCard() throws {
        let folder = try TemporaryFolder()
        let card = try Vault.keygen(
            name: "elena", passphrase: secret("pw"), keyFile: folder.file("k"), workFactor: testWorkFactor)
        var json = String(decoding: card.encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"elena\"", with: "\"elen4\"")
        #expect(throws: VaultError.self) { try PublicCard.decode(Array(json.utf8)) }
        #expect(throws: VaultError.self) { try PublicCard.decode(Array("{}".utf8)) }
    }

    @Test(
        "only admins add members; names are checked",
        arguments: ["Bad", "", "a b", "ñandú", ".hidden", String(repeating: "a", count: 65)])
    func memberRules(name: String) throws {
        let team = try Team()
        #expect(throws: VaultError.self) {
            try team.vault.addMember(name: name, newPassphrase: secret("p"), by: team.admin)
        }
        #expect(throws: VaultError.self) {
            try team.vault.addMember(name: "ok-name", newPassphrase: secret("p"), by: team.lawyer)
        }
        #expect(throws: VaultError.memberExists("luis")) {
            try team.vault.addMember(name: "luis", newPassphrase: secret("p"), by: team.admin)
        }
        #expect(try team.vault.members().count == 5)
        #expect(FileSystem.contents(of: "\(team.vaultPath)/keys").count == 5)
    }

    @Test("a failed member add (grant refused) leaves neither a row nor a key file")
    func memberAddAllOrNothing() throws {
        let team = try Team()
        // ana is admin but does not hold lawyer, which already has holders: the grant is refused.
        #expect(throws: VaultError.self) {
            try team.vault.addMember(name: "nina", newPassphrase: secret("p"), roles: ["lawyer"], by: team.admin)
        }
        #expect(throws: VaultError.unknownMember("nina")) { try team.vault.member(named: "nina") }
        #expect(!FileSystem.exists(team.vault.keyFilePath(for: "nina")))
    }

    @Test("the key file opens with age's identity-file reader and holds the signing key")
    func keyFileFormat() throws {
        let team = try Team()
        let text = try IdentityFile.open(
            try readFile(team.vault.keyFilePath(for: "luis")), passphrase: secret("luis passphrase"))
        let identities = try IdentityFile.parse(text)
        #expect(identities.count == 1)
        #expect(identities[0].recipient.description == team.lawyer.recipient)
        let keys = try MemberKeys.parse(text)
        #expect(keys.signingPublicKeyHex == team.lawyer.signingPublicKey)
        let plain = String(decoding: text.unsafeExportedBytes(), as: UTF8.self)
        #expect(plain.contains("\n# CASEVAULT-SIGNING-KEY-1"))
    }
}
