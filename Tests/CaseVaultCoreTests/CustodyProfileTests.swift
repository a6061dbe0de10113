import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

extension Vault {
    /// The entries that bound `name`'s keys (genesis, member.add, member.rekey), oldest first.
    func keyBindingEntries(of name: String) throws -> [Int] {
        try trusted().entries(about: LogIndex.memberSubject(name))
    }
}

/// Who received, held and handed over an item, by full name, position and institution as the signed log
/// states them at each event's time (Docs/FORMAT.md, "Member profiles"), and transfers to someone outside the
/// team.
@Suite("Custody: member profiles and transfers outside the team")
struct CustodyProfileTests {
    let prosecutor = PersonProfile(
        fullName: "Ana Quispe", position: "Fiscal de materia", institution: "Fiscalía Departamental de La Paz")

    /// A modified client's entry (no friendly pre-checks), and the replay problem it meets.
    let tamper = CustodyTamperTests()
    func problem(_ body: () throws -> Void) -> LogProblem? { tamper.problem(body) }
    func forge(_ team: Team, _ type: EntryType, _ fields: [(String, String)], by session: MemberSession) throws {
        try tamper.forge(team, type, fields, by: session)
    }

    @Test(
        "profile text: UTF-8 encoded canonically, and a non-canonical or unusable value refused",
        arguments: [
            ("Fiscalía Departamental", "Fiscal%C3%ADa Departamental"), ("100% IDIF", "100%25 IDIF"),
            ("Lucía  Mamani", nil), (" Abogada", nil), ("Abogada ", nil), ("", nil), ("a\u{7}b", nil),
            (String(repeating: "x", count: 201), nil),
        ] as [(String, String?)])
    func text(_ text: String, _ encoded: String?) throws {
        #expect(ProfileText.encode(text) == encoded)
        if let encoded { #expect(ProfileText.decode(encoded) == text) }
    }

    @Test("profile decoding refuses every other spelling of the same text")
    func nonCanonical() {
        for value in ["Fiscal%c3%ada", "Fiscal%C3", "100%", "100%2", "a%20b", "%41", "a  b", "%FF"] {
            #expect(ProfileText.decode(value) == nil, "\(value)")
        }
    }

    @Test("an admin states a profile; the report shows the one in force at each event, and the intake's receiver")
    func profileAtEventTime() throws {
        let team = try Team()
        try team.vault.setProfile(
            of: "luis", PersonProfile(fullName: "Luis Mamani", position: "Abogado", institution: "Fundación Voces"),
            by: team.admin)
        let item = try team.addItem(Array("foto".utf8))
        let changed = try team.vault.setProfile(
            of: "luis",
            PersonProfile(fullName: "Luis Mamani", position: "Director legal", institution: "Fundación Voces"),
            by: team.admin)
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "nota"), by: team.lawyer)
        let record = try team.vault.custodyDossier(items: [item.id], as: nil).records[0]
        let intake = try #require(record.events.first?.actor)
        #expect(intake.member == "luis" && intake.fullName == "Luis Mamani" && intake.position == "Abogado")
        #expect(intake.institution == "Fundación Voces")
        let key = Hex.decode(team.lawyer.signingPublicKey)!
        #expect(intake.fingerprint == Hex.encode(try Digest.hash(.sha256, key)))
        #expect(intake.keyBoundBy == (try team.vault.keyBindingEntries(of: "luis").last))
        // The later change holds from its own entry on; the intake keeps what held then.
        let note = try #require(record.events.last?.actor)
        #expect(note.position == "Director legal" && note.profileEntry == changed)
    }

    @Test("a non-admin may not state a profile: the vault refuses, and a forged entry is refused by replay")
    func nonAdminRefused() throws {
        let team = try Team()
        #expect(throws: VaultError.notPermitted(.adminOnly(.setProfiles))) {
            try team.vault.setProfile(of: "luis", prosecutor, by: team.lawyer)
        }
        let refused = problem {
            try forge(
                team, .memberProfile,
                [("member", "luis"), ("full-name", "Luis"), ("position", "Jefe"), ("institution", "X")],
                by: team.lawyer)
        }
        guard case .notAuthorized(let rule) = refused else {
            Issue.record("expected notAuthorized, got \(String(describing: refused))")
            return
        }
        #expect(rule.contains("only an admin"))
        let malformed = problem {
            try forge(
                team, .memberProfile,
                [("member", "luis"), ("full-name", "Luis%c3%ad"), ("position", "Jefe"), ("institution", "X")],
                by: team.admin)
        }
        guard case .malformed(let what) = malformed else {
            Issue.record("expected malformed, got \(String(describing: malformed))")
            return
        }
        #expect(what.contains("full-name"))
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("a transfer to the prosecutor names them in the signed event; from and to are shown; it comes back")
    func transferOutside() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        try team.vault.setProfile(
            of: "luis", PersonProfile(fullName: "Luis Mamani", position: "Abogado", institution: "Fundación Voces"),
            by: team.admin)
        let out = try team.vault.transferCustody(
            item.id, toOutside: prosecutor, purpose: .prosecutor, remarks: CustodyRemarks(text: "REQ-114"),
            by: team.lawyer)
        #expect(throws: VaultError.custodyRefused(item: item.id, .alreadyCustodian("Ana Quispe"))) {
            try team.vault.transferCustody(
                item.id, toOutside: prosecutor, purpose: .prosecutor, remarks: CustodyRemarks(text: "x"),
                by: team.lawyer)
        }
        #expect(throws: VaultError.custodyRefused(item: item.id, .notHandoverOutside(purpose: "return"))) {
            try team.vault.transferCustody(
                item.id, toOutside: prosecutor, purpose: .return, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        }
        let away = try team.vault.custodyDossier(items: [item.id], as: nil).records[0]
        #expect(away.holder?.fullName == "Ana Quispe" && away.holder?.member == nil)
        let back = try team.vault.transferCustody(
            item.id, to: "luis", purpose: .return, remarks: CustodyRemarks(text: "devuelto"), by: team.lawyer)
        let record = try team.vault.custodyDossier(items: [item.id], as: nil).records[0]
        let handover = try #require(record.events.first { $0.entry == out })
        #expect(handover.fields["to-institution"] == "Fiscal%C3%ADa Departamental de La Paz")
        #expect(handover.from?.member == "luis" && handover.from?.position == "Abogado")
        #expect(handover.to?.member == nil && handover.to?.fullName == "Ana Quispe")
        #expect(handover.to?.institution == "Fiscalía Departamental de La Paz")
        let returned = try #require(record.events.first { $0.entry == back })
        #expect(returned.from?.fullName == "Ana Quispe" && returned.to?.member == "luis")
        #expect(record.custodian == "luis" && record.holder?.member == "luis" && record.unbroken)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("a transfer naming both a member and someone outside, or only part of the outsider, is refused")
    func transferFieldsRefused() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let link = [
            ("item", item.id), ("sha256", item.sha256), ("object", item.object),
            ("prev-event", String(try team.vault.entryIndex(ofItem: item.id))),
        ]
        let hash = String(repeating: "ab", count: 32)
        for named in [
            [("to", "luis"), ("to-name", "Ana"), ("to-position", "Fiscal"), ("to-institution", "Fiscalia")],
            [("to-name", "Ana"), ("to-position", "Fiscal")],
            [("to-name", "Ana"), ("to-position", "Fiscal"), ("to-institution", "Fiscal%c3%ada")],
        ] {
            let refused = problem {
                try forge(
                    team, .custodyTransfer, link + named + [("purpose", "prosecutor"), ("private", hash)],
                    by: team.lawyer)
            }
            guard case .malformed = refused else {
                Issue.record("expected malformed for \(named), got \(String(describing: refused))")
                continue
            }
        }
        let returnOutside = problem {
            try forge(
                team, .custodyTransfer,
                link + [("to-name", "Ana"), ("to-position", "Fiscal"), ("to-institution", "X")] + [
                    ("purpose", "return"), ("private", hash),
                ], by: team.lawyer)
        }
        guard case .inconsistent(let why) = returnOutside else {
            Issue.record("expected inconsistent, got \(String(describing: returnOutside))")
            return
        }
        #expect(why.contains("handover"))
    }
}
