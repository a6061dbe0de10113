import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// Custody events: each a signed entry that names its item, the item's hashes and the item's previous
/// event; who may make each; what the auditor sees.
@Suite("Custody: signed events and their rules")
struct CustodyTests {
    /// The team with an evidence item added by luis (lawyer), who is its first custodian.
    func teamWithItem(_ bytes: String = "foto de la denuncia") throws -> (Team, Item) {
        let team = try Team()
        return (team, try team.addItem(Array(bytes.utf8)))
    }

    func auditor(_ team: Team) throws -> MemberSession {
        try team.vault.addMember(
            name: "diego", newPassphrase: secret("diego passphrase"), by: team.admin)
        try team.vault.grant(role: "auditor", to: "diego", by: team.admin)
        return try team.vault.unlock("diego", passphrase: secret("diego passphrase"))
    }

    @Test(
        "a whole chain: intake, verify, transfer, note, access, export, seal; each links to the one before"
    )
    func wholeChain() throws {
        let (team, item) = try teamWithItem()
        let vault = team.vault
        let verified = try vault.verifyCustody(item.id, by: team.lawyer)
        #expect(
            verified.objectMatches && verified.plaintextMatches == true && verified.plaintextChecked)
        try vault.transferCustody(
            item.id, to: "mario", purpose: .handover, remarks: CustodyRemarks(text: "revisión de Rosa"),
            by: team.lawyer)
        try vault.annotateCustody(
            item.id, remarks: CustodyRemarks(text: "copia para peritaje"), by: team.mentor)
        let sink = MemorySink()
        try vault.get(item.id, to: .stream(sink), by: team.lawyer)
        let exportPath = team.folder.file("export.age")
        let recipient = try X25519Identity.generate().recipient.description
        try vault.export(
            item.id, to: .recipient(recipient), output: .file(path: exportPath), by: team.lawyer,
            purpose: CustodyRemarks(text: "para la Fiscalía", authority: "REQ-2026-114"))
        try vault.sealCustody(item.id, remarks: CustodyRemarks(text: "audiencia"), by: team.mentor)

        let dossier = try vault.custodyDossier(items: [item.id], as: team.lawyer)
        let record = try #require(dossier.records.first)
        #expect(
            record.events.map(\.kind) == [
                "intake", "verified", "transfer", "annotated", "access", "export", "sealed",
            ])
        #expect(record.unbroken && record.sealed && record.custodian == "mario")
        for (previous, event) in zip(record.events, record.events.dropFirst()) {
            #expect(event.fields["prev-event"] == String(previous.entry))
            #expect(event.fields["sha256"] == item.sha256 && event.fields["object"] == item.object)
        }
        let export = record.events[5]
        #expect(export.fields["export-sha256"] == (try sha256Hex(file: exportPath)))
        #expect(export.remarks == CustodyRemarks(text: "para la Fiscalía", authority: "REQ-2026-114"))
        #expect(
            record.events[2].fields["to"] == "mario" && record.events[2].fields["purpose"] == "handover")
        #expect(Set(dossier.signers.map(\.name)) == ["luis", "mario"])
        #expect(dossier.proofs.count == record.events.count)
    }

    @Test("the auditor verifies the object only, and sees no remarks")
    func auditorView() throws {
        let (team, item) = try teamWithItem()
        try team.vault.annotateCustody(
            item.id, remarks: CustodyRemarks(text: "Rosa, calle 5"), by: team.lawyer)
        let diego = try auditor(team)
        let verified = try team.vault.verifyCustody(item.id, by: diego)
        #expect(
            verified.objectMatches && !verified.plaintextChecked && verified.plaintextComputed == nil)
        let dossier = try team.vault.custodyDossier(items: [item.id], as: diego)
        let events = try #require(dossier.records.first?.events)
        #expect(events.allSatisfy { $0.remarks == nil })
        #expect(events.last?.kind == "verified" && events.last?.author == "diego")
        #expect(events.last?.fields["plaintext-computed"] == nil)
        let json = String(decoding: try JSONEncoder().encode(dossier), as: UTF8.self)
        #expect(!json.contains("Rosa") && !json.contains("input.bin"))
    }

    @Test("a damaged object is recorded as a mismatch")
    func damagedObject() throws {
        let (team, item) = try teamWithItem()
        try team.flipObjectByte(of: item, at: { $0 - 1 }, bit: 1)
        let verified = try team.vault.verifyCustody(item.id, by: team.lawyer)
        #expect(!verified.objectMatches && verified.plaintextComputed == nil)
        let record = try #require(
            try team.vault.custodyDossier(items: [item.id], as: nil).records.first)
        #expect(record.events.last?.fields["object-computed"] == verified.objectComputed)
    }

    @Test("a transfer needs a reader or the custodian, and a target who holds a reader role")
    func transferRules() throws {
        let (team, item) = try teamWithItem()
        let remarks = CustodyRemarks(text: "motivo")
        #expect(
            throws: VaultError.custodyRefused(
                item: item.id, .notReaderOrCustodian(readers: ["lawyer", "mentor"], custodian: "luis"))
        ) {
            try team.vault.transferCustody(
                item.id, to: "mario", purpose: .handover, remarks: remarks, by: team.psychologist)
        }
        #expect(
            throws: VaultError.custodyRefused(
                item: item.id, .targetNotReader(member: "paula", readers: ["lawyer", "mentor"]))
        ) {
            try team.vault.transferCustody(
                item.id, to: "paula", purpose: .handover, remarks: remarks, by: team.lawyer)
        }
        #expect(throws: VaultError.custodyRefused(item: item.id, .alreadyCustodian("luis"))) {
            try team.vault.transferCustody(
                item.id, to: "luis", purpose: .handover, remarks: remarks, by: team.mentor)
        }
        #expect(throws: VaultError.unknownMember("nadie")) {
            try team.vault.transferCustody(
                item.id, to: "nadie", purpose: .handover, remarks: remarks, by: team.lawyer)
        }
    }

    @Test("after a seal only access, verification and export are recorded")
    func sealFreezes() throws {
        let (team, item) = try teamWithItem()
        try team.vault.sealCustody(item.id, remarks: CustodyRemarks(text: "juicio"), by: team.lawyer)
        let remarks = CustodyRemarks(text: "x")
        #expect(throws: VaultError.custodyRefused(item: item.id, .sealed)) {
            try team.vault.annotateCustody(item.id, remarks: remarks, by: team.lawyer)
        }
        #expect(throws: VaultError.custodyRefused(item: item.id, .sealed)) {
            try team.vault.transferCustody(
                item.id, to: "mario", purpose: .handover, remarks: remarks, by: team.lawyer)
        }
        #expect(throws: VaultError.custodyRefused(item: item.id, .sealed)) {
            try team.vault.requestDisposal(item.id, remarks: remarks, by: team.lawyer)
        }
        _ = try team.vault.verifyCustody(item.id, by: team.lawyer)
        try team.vault.get(item.id, to: .stream(MemorySink()), by: team.mentor)
        let kinds = try team.vault.custodyDossier(items: [item.id], as: nil).records[0].events.map(
            \.kind)
        #expect(kinds == ["intake", "sealed", "verified", "access"])
    }

    @Test("intake fields are in clear in item.add: origin, method and SHA-512 as received")
    func intakeFields() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let bytes = Array("audio".utf8)
        let path = try team.folder.write("audio.m4a", bytes)
        var options = AddOptions(extraDigests: [.sha512])
        options.origin = .survivor
        options.method = .original
        let item = try team.vault.add(caseID: "C-1", files: [path], options: options, by: team.lawyer)[
            0]
        let record = try team.vault.custodyDossier(ofCase: "C-1", as: nil).records[0]
        #expect(record.item == item.id)
        #expect(
            record.events[0].fields["origin"] == "survivor"
                && record.events[0].fields["method"] == "original")
        #expect(record.sha512 == Hex.encode(try Digest.hash(.sha512, bytes)))
    }

    @Test("a state saved before custody chains still loads")
    func oldStateLoads() throws {
        let (team, item) = try teamWithItem()
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let state = try team.vault.trusted().state
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? [String: Any])
        #expect(object["custodyChains"] != nil)
        object["custodyChains"] = nil
        let old = try JSONDecoder().decode(
            LogState.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.custodyChains == nil && old.size == state.size)
    }
}
