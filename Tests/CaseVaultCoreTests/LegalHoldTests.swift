import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Legal hold: while an item or its case is held, no disposal of it is recorded, by this client or by any
/// other (the log's replay refuses it, so `audit verify` names a disposal that a modified client wrote).
@Suite("Legal hold")
struct LegalHoldTests {
    let reason = CustodyRemarks(text: "orden judicial", authority: "JI-2026-77")

    func disposalRefused(_ team: Team, _ item: Item, caseID: String?) {
        #expect(throws: VaultError.custodyRefused(item: item.id, .underHold(caseID: caseID))) {
            try team.vault.requestDisposal(item.id, remarks: CustodyRemarks(text: "baja"), by: team.lawyer)
        }
    }

    @Test("a case hold refuses the disposal of each of its items, those added later too, until released")
    func caseHold() throws {
        let team = try Team()
        let first = try team.addItem(Array("uno".utf8))
        let other = try team.addItem(Array("otro".utf8), caseID: "C-2")
        let entry = try team.vault.placeHold(.caseFile("C-1"), remarks: reason, by: team.lawyer)
        let later = try team.addItem(Array("dos".utf8))
        #expect(try team.vault.legalHold(ofCase: "C-1") == entry)
        #expect(try team.vault.legalHolds(ofItem: later.id) == ItemHolds(item: nil, caseHold: entry))
        disposalRefused(team, first, caseID: "C-1")
        disposalRefused(team, later, caseID: "C-1")
        // Another case is not held.
        try team.vault.requestDisposal(other.id, remarks: CustodyRemarks(text: "baja"), by: team.lawyer)
        // A client that starts afresh (its verified state rebuilt from the log) still refuses.
        let state = try TemporaryFolder()
        let fresh = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(try fresh.legalHold(ofCase: "C-1") == entry)
        try team.vault.releaseHold(.caseFile("C-1"), remarks: CustodyRemarks(text: "sentencia firme"), by: team.admin)
        #expect(try team.vault.legalHold(ofCase: "C-1") == nil)
        try team.vault.requestDisposal(first.id, remarks: CustodyRemarks(text: "baja"), by: team.lawyer)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        let types = try team.vault.auditEntries().map(\.type)
        #expect(types.contains("case.hold") && types.contains("case.release"))
    }

    @Test("an item hold is a custody event; it may be placed on a sealed item and is shown in its record")
    func itemHold() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        try team.vault.sealCustody(item.id, remarks: CustodyRemarks(text: "juicio"), by: team.lawyer)
        let entry = try team.vault.placeHold(.item(item.id), remarks: reason, by: team.mentor)
        let record = try team.vault.custodyDossier(items: [item.id], as: team.lawyer).records[0]
        #expect(record.legalHold == ItemHolds(item: entry, caseHold: nil))
        #expect(record.events.last?.kind == "hold" && record.events.last?.remarks == reason)
        #expect(record.unbroken)
        #expect(try team.vault.showItem(item.id).legalHold == ItemHolds(item: entry, caseHold: nil))
        try team.vault.releaseHold(.item(item.id), remarks: CustodyRemarks(text: "fin"), by: team.lawyer)
        #expect(try team.vault.legalHolds(ofItem: item.id).held == false)
        #expect(
            try team.vault.custodyDossier(items: [item.id], as: nil).records[0].events.last?.kind == "hold-released")
    }

    @Test("an item hold refuses its disposal; a case hold and an item hold are released separately")
    func itemAndCaseHolds() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        try team.vault.placeHold(.item(item.id), remarks: reason, by: team.lawyer)
        try team.vault.placeHold(.caseFile("C-1"), remarks: reason, by: team.admin)
        disposalRefused(team, item, caseID: nil)
        try team.vault.releaseHold(.item(item.id), remarks: reason, by: team.lawyer)
        disposalRefused(team, item, caseID: "C-1")
        try team.vault.releaseHold(.caseFile("C-1"), remarks: reason, by: team.lawyer)
        try team.vault.requestDisposal(item.id, remarks: CustodyRemarks(text: "baja"), by: team.lawyer)
    }

    @Test("refused: a member who is neither admin nor reader, a second hold, a release of nothing, unknown ids")
    func refusals() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let before = try team.vault.auditEntries().count
        #expect(throws: VaultError.holdRefused(.item(item.id), .notAdminOrReader(readers: ["lawyer", "mentor"]))) {
            try team.vault.placeHold(.item(item.id), remarks: reason, by: team.psychologist)
        }
        #expect(throws: VaultError.holdRefused(.item(item.id), .notHeld)) {
            try team.vault.releaseHold(.item(item.id), remarks: reason, by: team.lawyer)
        }
        #expect(throws: VaultError.holdRefused(.caseFile("C-1"), .notHeld)) {
            try team.vault.releaseHold(.caseFile("C-1"), remarks: reason, by: team.lawyer)
        }
        #expect(throws: VaultError.unknownCase("C-9")) {
            try team.vault.placeHold(.caseFile("C-9"), remarks: reason, by: team.admin)
        }
        #expect(throws: VaultError.unknownItem("it_0000000000000000")) {
            try team.vault.placeHold(.item("it_0000000000000000"), remarks: reason, by: team.admin)
        }
        #expect(try team.vault.auditEntries().count == before)
        try team.vault.placeHold(.caseFile("C-1"), remarks: reason, by: team.psychologist)
        #expect(throws: VaultError.holdRefused(.caseFile("C-1"), .alreadyHeld)) {
            try team.vault.placeHold(.caseFile("C-1"), remarks: reason, by: team.lawyer)
        }
    }

    @Test("the log refuses what a modified client would sign: a disposal under hold, a hold by an outsider")
    func replayRules() throws {
        let tamper = CustodyTamperTests()
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let held = try team.vault.placeHold(.item(item.id), remarks: reason, by: team.lawyer)
        let disposal = tamper.problem {
            try tamper.forge(
                team, .custodyDisposal, tamper.link(item, previous: held) + [("private", tamper.hash)],
                by: team.lawyer)
        }
        #expect(disposal == .inconsistent("\(item.id) is under legal hold"))
        let outsider = tamper.problem {
            try tamper.forge(
                team, .custodyRelease, tamper.link(item, previous: held) + [("private", tamper.hash)],
                by: team.socialWorker)
        }
        #expect(
            outsider
                == .notAuthorized(
                    "only an admin or a holder of a reader role of \(item.id) places or releases a hold"))
        let twice = tamper.problem {
            try tamper.forge(team, .caseHold, [("case", "C-1"), ("private", tamper.hash)], by: team.lawyer)
            try tamper.forge(team, .caseHold, [("case", "C-1"), ("private", tamper.hash)], by: team.lawyer)
        }
        #expect(twice == .inconsistent("case C-1 is already under legal hold"))
        let caseDisposal = tamper.problem {
            try team.vault.releaseHold(.item(item.id), remarks: reason, by: team.lawyer)
            let last = try team.vault.custodyDossier(items: [item.id], as: nil).records[0].events.last!.entry
            try tamper.forge(
                team, .custodyDisposal, tamper.link(item, previous: last) + [("private", tamper.hash)],
                by: team.lawyer)
        }
        #expect(caseDisposal == .inconsistent("case C-1 of \(item.id) is under legal hold"))
    }

    @Test("audit verify names a disposal of a held item written into the folder by someone with a member's key")
    func auditVerifyNamesDisposal() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let held = try team.vault.placeHold(.caseFile("C-1"), remarks: reason, by: team.lawyer)
        let keys = try RemovalTests.savedKeys(team)
        let intake = try team.vault.entryIndex(ofItem: item.id)
        let forged = try RemovalTests.forge(
            .custodyDisposal,
            [
                ("item", item.id), ("sha256", item.sha256), ("object", item.object),
                ("prev-event", String(intake)), ("private", String(repeating: "ab", count: 32)),
            ], by: "luis", keys: keys, in: team.vaultPath)
        #expect(forged > held)
        let refused = SignedLogError.entry(
            index: forged, problem: .inconsistent("case C-1 of \(item.id) is under legal hold"))
        // The auditor's replay names it, and a client that opens the folder afresh refuses it.
        #expect(try team.vault.verifyWholeLog().problems == [refused])
        let state = try TemporaryFolder()
        #expect(throws: refused) { try Vault.open(at: team.vaultPath, stateFolder: state.path) }
    }
}
