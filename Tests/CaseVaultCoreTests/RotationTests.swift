import CaseVaultAge
import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// What a member can open of the vault with their own keys alone, straight from the database file of some
/// copy of the vault folder: the role keys in the envelopes addressed to them, and with those, item headers,
/// item metadata and case titles. No vault code decides anything here; only the keys do.
struct RawKeyProbe {
    let roleKeys: [X25519Identity]
    let identities: [Identity]

    /// Every role key that `member`'s identity opens from the envelopes of each database in `databases`.
    init(member: Identity, databases: [String]) throws {
        var keys: [X25519Identity] = []
        for path in databases {
            let envelopes = try DatabaseQueue(path: path).read { db in
                try Data.fetchAll(db, sql: "SELECT envelope FROM role_key_envelopes")
            }
            for envelope in envelopes {
                guard
                    let text = try SealedBlob.open(
                        Array(envelope), identities: [member], subject: .caseMetadata("probe"), limit: 4096)
                else { continue }
                keys += try IdentityFile.parse(text)
            }
        }
        roleKeys = keys
        identities = keys + [member]
    }

    /// Whether these keys unwrap the file key of an age header.
    func opensHeader(_ header: [UInt8]) -> Bool {
        guard let (parsed, _) = try? Header.parse(header) else { return false }
        return (try? FileKey.unwrap(parsed, identities: identities)) != nil
    }

    /// Whether these keys open a sealed blob (item metadata, a case title).
    func opensBlob(_ blob: [UInt8]) -> Bool {
        ((try? SealedBlob.open(blob, identities: identities, subject: .caseMetadata("probe"))) ?? nil) != nil
    }
}

/// A copy of the vault folder as it is now, as someone who could read the folder would keep it.
func copyFolder(_ team: Team, to name: String) throws -> String {
    let target = team.folder.file(name)
    try FileManager.default.copyItem(atPath: team.vaultPath, toPath: target)
    return target
}

@Suite("Key rotation")
struct RotationTests {
    /// The team with lucia as a second lawyer (so luis can lose the role), and her session.
    static func teamWithTwoLawyers() throws -> (Team, MemberSession) {
        let team = try Team()
        try team.vault.addMember(name: "lucia", newPassphrase: secret("lucia passphrase"), by: team.admin)
        try team.vault.grant(role: "lawyer", to: "lucia", by: team.lawyer)
        return (team, try team.vault.unlock("lucia", passphrase: secret("lucia passphrase")))
    }

    func read(_ team: Team, _ item: Item, by session: MemberSession) throws -> [UInt8] {
        let path = team.folder.file("out-\(item.id)-\(session.member)")
        defer { unlink(path) }
        try team.vault.get(item.id, to: .file(path: path), by: session)
        return try readFile(path)
    }

    @Test("a rotation makes the next generation for the holders only; new items use it; old ones stay readable")
    func rotate() throws {
        let (team, lucia) = try Self.teamWithTwoLawyers()
        let old = try team.addItem(Array("antes".utf8), itemClass: .legal)
        let rotation = try team.vault.rotate(role: "lawyer", by: team.admin)
        #expect(rotation.generation == 2 && rotation.sealedTo == ["lucia", "luis"])
        let new = try team.addItem(Array("después".utf8), itemClass: .legal, name: "new.txt")
        let readers = try team.vault.read { db in try team.vault.itemRecord(db, new.id).generations }
        #expect(readers == ["lawyer": 2, "mentor": 1])
        for session in [team.lawyer, lucia] {
            #expect(try read(team, old, by: session) == Array("antes".utf8))
            #expect(try read(team, new, by: session) == Array("después".utf8))
        }
        // The admin who made the key kept no copy of it.
        #expect(throws: VaultError.notAReader(subject: .item(new.id), readers: ["lawyer", "mentor"])) {
            try read(team, new, by: team.admin)
        }
        let lawyer = try #require(try team.vault.roles().first { $0.name == "lawyer" })
        #expect(lawyer.generations == 2 && lawyer.currentRecipient == rotation.recipient)
        let generations = try team.vault.generations(of: "lawyer")
        #expect(generations.map(\.generation) == [1, 2])
        #expect(generations[0].retiredAt != nil && generations[1].retiredAt == nil)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("a holder may rotate; a member who neither holds the role nor is an admin may not")
    func whoRotates() throws {
        let team = try Team()
        #expect(try team.vault.rotate(role: "lawyer", by: team.lawyer).generation == 2)
        #expect(throws: VaultError.notPermitted(.rotate(role: "lawyer"))) {
            try team.vault.rotate(role: "lawyer", by: team.psychologist)
        }
        #expect(throws: VaultError.roleHasNoKey(role: "auditor")) {
            try team.vault.rotate(role: "auditor", by: team.admin)
        }
        #expect(throws: VaultError.unknownRole("judge")) { try team.vault.rotate(role: "judge", by: team.admin) }
        #expect(try team.vault.generations(of: "lawyer").count == 2)
    }

    @Test("a membership written into the folder gets no copy of the new key")
    func insertedHolder() throws {
        let team = try Team()
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    INSERT INTO memberships (member, role, granted_at, granted_by)
                    SELECT id, 'lawyer', '2026-12-01T10:00:00Z', id FROM members WHERE name = 'paula'
                    """)
        }
        #expect(throws: VaultError.notInLog(.member("paula", field: "roles"))) {
            try team.vault.rotate(role: "lawyer", by: team.admin)
        }
        #expect(try team.vault.generations(of: "lawyer").count == 1)
    }

    @Test("revoke rotates: the revoked member's role keys open nothing added afterwards")
    func revokeRotates() throws {
        let (team, lucia) = try Self.teamWithTwoLawyers()
        let before = try copyFolder(team, to: "before")
        let rotation = try team.vault.revoke(role: "lawyer", from: "luis", by: team.admin)
        #expect(rotation?.generation == 2 && rotation?.sealedTo == ["lucia"])
        let path = try team.folder.write("nuevo.txt", Array("nuevo".utf8))
        try team.vault.createCase(id: "C-9", title: "Título", by: lucia)
        let item = try team.vault.add(
            caseID: "C-9", files: [path], options: AddOptions(itemClass: .legal, readers: ["lawyer"]), by: lucia)[0]
        let probe = try RawKeyProbe(member: team.lawyer.identity, databases: [before + "/vault.sqlite"])
        #expect(probe.roleKeys.count == 1)
        let record = try team.vault.read { db in try team.vault.itemRecord(db, item.id) }
        #expect(!probe.opensHeader(record.header) && !probe.opensBlob(record.metadata))
        let title = try team.vault.read { db in
            try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-9'")!
        }
        #expect(!probe.opensBlob(Array(title)))
    }

    @Test("revoke --no-rotate keeps the key: what it says stays readable does")
    func revokeWithoutRotation() throws {
        let (team, lucia) = try Self.teamWithTwoLawyers()
        let before = try copyFolder(team, to: "before")
        #expect(try team.vault.revoke(role: "lawyer", from: "luis", by: team.admin, rotate: false) == nil)
        let path = try team.folder.write("nuevo.txt", Array("nuevo".utf8))
        try team.vault.createCase(id: "C-9", by: lucia)
        let item = try team.vault.add(
            caseID: "C-9", files: [path], options: AddOptions(itemClass: .legal, readers: ["lawyer"]), by: lucia)[0]
        let readable = try team.vault.readableAfterRevocation(of: "lawyer")
        #expect(readable.items == 1 && readable.cases == 1 && readable.generation == 1)
        let probe = try RawKeyProbe(member: team.lawyer.identity, databases: [before + "/vault.sqlite"])
        let record = try team.vault.read { db in try team.vault.itemRecord(db, item.id) }
        #expect(probe.opensHeader(record.header))
    }
}
