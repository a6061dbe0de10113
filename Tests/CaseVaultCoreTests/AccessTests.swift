import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Access is enforced by cryptography")
struct AccessTests {
    /// Every identity `session` can reach with the raw folder: its own key, and every role key in every
    /// envelope anywhere in the database that its key opens.
    func everyReachableIdentity(_ team: Team, _ session: MemberSession) throws -> [Identity] {
        var identities: [Identity] = [session.identity]
        let envelopes = try team.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM role_key_envelopes").map { Array($0) }
        }
        var opened = 0
        for envelope in envelopes {
            let sink = MemorySink()
            do {
                try Age.decrypt(from: MemorySource(envelope), to: sink, identities: [session.identity])
            } catch let error as AgeError {
                guard case .noMatch = error else { throw error }
                continue
            }
            identities += try IdentityFile.parse(SecureBytes(copying: sink.bytes)) as [Identity]
            opened += 1
        }
        #expect(opened >= 1, "the member should at least open their own role's envelope")
        return identities
    }

    @Test("a psychologist cannot read a legal document, not even from the raw folder")
    func psychologistCannotReadLegal() throws {
        let team = try Team()
        let item = try team.addItem(Array("complaint draft".utf8), itemClass: .legal)
        #expect(item.readers == ["lawyer", "mentor"])
        #expect(try team.vault.whoCanRead(item.id) == ["lawyer", "mentor"])

        let out = team.folder.file("out.txt")
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out), by: team.psychologist)
        }
        #expect(error == .notAReader(subject: .item(item.id), readers: ["lawyer", "mentor"]))
        #expect(!FileSystem.exists(out))

        // Bypassing the service: the header from the raw database plus the object from the raw folder, tried
        // with every key the psychologist can open.
        let header = try team.vault.read { db in
            Array(try Data.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [item.id])!)
        }
        let object = try readFile(team.vault.objects.path(of: item.object))
        let identities = try everyReachableIdentity(team, team.psychologist)
        #expect(identities.count >= 2)
        #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(header + object), to: MemorySink(), identities: identities)
        }
        // The item's encrypted metadata is just as closed.
        let metadata = try team.vault.read { db in
            Array(try Data.fetchOne(db, sql: "SELECT metadata FROM items WHERE id = ?", arguments: [item.id])!)
        }
        #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(metadata), to: MemorySink(), identities: identities)
        }
        // The same attack works for a reader, which shows the attack itself is sound.
        let sink = MemorySink()
        try Age.decrypt(
            from: MemorySource(header + object), to: sink, identities: try everyReachableIdentity(team, team.lawyer))
        #expect(sink.bytes == Array("complaint draft".utf8))
    }

    @Test(
        "each class goes to its default readers",
        arguments: [
            (ItemClass.evidence, ["lawyer", "mentor"]), (.legal, ["lawyer", "mentor"]), (.clinical, ["psychologist"]),
            (.social, ["psychologist", "social-worker"]),
        ])
    func classDefaults(itemClass: ItemClass, readers: [String]) throws {
        let team = try Team()
        let item = try team.addItem(Array("x".utf8), itemClass: itemClass)
        #expect(item.readers.sorted() == readers)
        let sessions: [(String, MemberSession)] = [
            ("lawyer", team.lawyer), ("mentor", team.mentor), ("psychologist", team.psychologist),
            ("social-worker", team.socialWorker), ("admin", team.admin),
        ]
        for (role, session) in sessions {
            let out = team.folder.file("out-\(role)")
            if readers.contains(role) {
                try team.vault.get(item.id, to: .file(path: out), by: session)
                #expect(try readFile(out) == Array("x".utf8))
            } else {
                #expect(throws: VaultError.self) { try team.vault.get(item.id, to: .file(path: out), by: session) }
                #expect(!FileSystem.exists(out))
            }
        }
    }

    @Test("--readers overrides the class defaults")
    func readersOverride() throws {
        let team = try Team()
        let item = try team.addItem(
            Array("shared note".utf8), itemClass: .clinical, readers: ["psychologist", "lawyer"])
        #expect(item.readers == ["psychologist", "lawyer"])
        try team.vault.get(item.id, to: .file(path: team.folder.file("a")), by: team.lawyer)
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("b")), by: team.mentor)
        }
        #expect(throws: VaultError.unknownRole("janitor")) {
            try team.addItem(Array("x".utf8), readers: ["janitor"])
        }
    }

    @Test("a forged membership row gives no access: the keys decide")
    func forgedMembership() throws {
        let team = try Team()
        let item = try team.addItem(Array("evidence".utf8), itemClass: .evidence)
        // Someone with write access to the database makes paula a lawyer without any envelope.
        try team.vault.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO memberships (member, role, granted_at, granted_by)
                    SELECT id, 'lawyer', '2025-01-01T00:00:00Z', id FROM members WHERE name = 'paula'
                    """)
        }
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.psychologist)
        }
        // A stolen envelope copied to paula's row does not open with paula's key either.
        try team.vault.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO role_key_envelopes (role, generation, member, envelope, created_at)
                    SELECT role, generation, (SELECT id FROM members WHERE name = 'paula'), envelope, created_at
                    FROM role_key_envelopes WHERE role = 'lawyer' AND member = (SELECT id FROM members WHERE name = 'luis')
                    """)
        }
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.psychologist)
        }
        guard case .integrityFailure = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test("an admin reads no content unless given a content role")
    func adminReadsNothing() throws {
        let team = try Team()
        let item = try team.addItem(Array("x".utf8))
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.admin)
        }
        let roles = try team.vault.member(named: "ana").roles
        #expect(roles == ["admin"])
        // And the admin cannot grant a role that already has holders: only holders share its keys.
        #expect(throws: VaultError.self) { try team.vault.grant(role: "lawyer", to: "ana", by: team.admin) }
        #expect(try team.vault.member(named: "ana").roles == ["admin"])
    }

    @Test("a holder grants their role; the new holder can read earlier items")
    func grantByHolder() throws {
        let team = try Team()
        let item = try team.addItem(Array("earlier".utf8))
        try team.vault.addMember(name: "lucia", newPassphrase: secret("lucia passphrase"), by: team.admin)
        let lucia = try team.vault.unlock("lucia", passphrase: secret("lucia passphrase"))
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: lucia)
        }
        try team.vault.grant(role: "lawyer", to: "lucia", by: team.lawyer)
        try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: lucia)
        #expect(try readFile(team.folder.file("o")) == Array("earlier".utf8))
        #expect(throws: VaultError.alreadyHolds(member: "lucia", role: "lawyer")) {
            try team.vault.grant(role: "lawyer", to: "lucia", by: team.lawyer)
        }
        // A psychologist cannot grant lawyer, and nor can the admin: granting shares the role's keys, so the
        // refusal is the holder check's (77), before anything would try to open a key they do not hold.
        for outsider in [team.psychologist, team.admin] {
            #expect(throws: VaultError.notPermitted(.grantByNonHolder(role: "lawyer", holders: ["lucia", "luis"]))) {
                try team.vault.grant(role: "lawyer", to: "paula", by: outsider)
            }
        }
    }

    @Test("revoke removes the envelopes; the last holder cannot be revoked")
    func revoke() throws {
        let team = try Team()
        let item = try team.addItem(Array("x".utf8))
        #expect(throws: VaultError.lastHolder(member: "luis", role: "lawyer")) {
            try team.vault.revoke(role: "lawyer", from: "luis", by: team.admin)
        }
        try team.vault.addMember(name: "lucia", newPassphrase: secret("p"), by: team.admin)
        try team.vault.grant(role: "lawyer", to: "lucia", by: team.lawyer)
        try team.vault.revoke(role: "lawyer", from: "luis", by: team.admin)
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.lawyer)
        }
        let envelopes = try team.vault.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM role_key_envelopes e JOIN members m ON m.id = e.member WHERE m.name = 'luis'"
            )
        }
        #expect(envelopes == 0)
        #expect(
            throws: VaultError.notPermitted(.revoke(role: "lawyer"))
        ) {
            try team.vault.revoke(role: "lawyer", from: "lucia", by: team.psychologist)
        }
    }

    @Test("default readers nobody holds yet are left out; explicit readers stay strict")
    func defaultReadersWithoutHolder() throws {
        // social items default to social-worker and psychologist; this team has no social worker.
        let folder = try TemporaryFolder()
        let vault = try Vault.create(
            at: folder.file("vault"), admin: "ana", passphrase: secret("ana passphrase"),
            configuration: VaultConfiguration(keyWorkFactor: testWorkFactor))
        let admin = try vault.unlock("ana", passphrase: secret("ana passphrase"))
        try vault.addMember(
            name: "paula", newPassphrase: secret("paula passphrase"), roles: ["psychologist"], by: admin)
        let paula = try vault.unlock("paula", passphrase: secret("paula passphrase"))
        try vault.createCase(id: "C-1", by: paula)
        let path = try folder.write("report.txt", Array("informe".utf8))
        let item = try vault.add(caseID: "C-1", files: [path], options: AddOptions(itemClass: .social), by: paula)[0]
        #expect(item.readers == ["psychologist"])
        #expect(try vault.whoCanRead(item.id) == ["psychologist"])
        #expect(throws: VaultError.roleHasNoKey(role: "social-worker")) {
            try vault.add(
                caseID: "C-1", files: [path], options: AddOptions(itemClass: .social, readers: ["social-worker"]),
                by: paula)
        }
        // With no default reader held at all, nothing is stored.
        #expect(throws: VaultError.roleHasNoKey(role: "lawyer")) {
            try vault.add(caseID: "C-1", files: [path], options: AddOptions(itemClass: .legal), by: paula)
        }
        #expect(try vault.items(inCase: "C-1").count == 1)
    }

    @Test("an admin gives a role its first holder; nobody else can")
    func firstHolder() throws {
        let team = try Team()
        #expect(try team.vault.roles().first { $0.name == "auditor" }?.generations == 0)
        #expect(throws: VaultError.roleHasNoKey(role: "auditor")) {
            try team.addItem(Array("x".utf8), readers: ["auditor"])
        }
        #expect(throws: VaultError.self) { try team.vault.grant(role: "auditor", to: "luis", by: team.lawyer) }
        try team.vault.grant(role: "auditor", to: "luis", by: team.admin)
        let auditor = try #require(try team.vault.roles().first { $0.name == "auditor" })
        #expect(auditor.generations == 1)
        #expect(auditor.holders == ["luis"])
        // The admin made the key but kept no envelope of it.
        #expect(
            try team.vault.read { db in try RoleKeyring.openIdentities(db, session: team.admin, roles: ["auditor"]) }
                .isEmpty)
    }
}
