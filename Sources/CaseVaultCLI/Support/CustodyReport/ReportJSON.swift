import CaseVaultCore
import Foundation

/// The report as JSON (`custody report --format json`; Docs/FORMAT.md, "Custody reports"): the dossier with
/// the report's statements as fields, each event with its Bolivian time and its inclusion proof.
struct ReportJSON: Encodable {
    struct Event: Encodable {
        let entry: Int
        let kind: String
        let type: String
        let time: String
        let timeLaPaz: String
        let author: String
        let fields: [String: String]
        let leafHash: String
        let signedEntry: String
        let inclusionProof: String
        let remarks: CustodyRemarks?
        let actor: CustodyParty?
        let from: CustodyParty?
        let to: CustodyParty?
    }

    struct Item: Encodable {
        let item: String
        let caseID: String
        let itemClass: String
        let size: Int64
        let sha256: String
        let sha512: String?
        let original: String
        let workingCopies: [Int]
        let custodian: String
        let holder: CustodyParty?
        let sealed: Bool
        let disposalRequested: Bool
        let legalHold: ItemHolds
        let unbroken: Bool
        let gaps: [CustodyGap]
        let events: [Event]
    }

    let format = "casevault-custody-report/v1"
    let vault: String
    let generatedAt: String
    let generatedBy: String?
    let timeSource = "host clock of each signer; no RFC 3161 timestamp"
    let timeZone = "America/La_Paz, UTC-04:00, no daylight saving time"
    let hashAlgorithms = ["SHA-256", "SHA-512"]
    let integrity = "hashes taken at intake prove integrity since intake, not authenticity before it"
    let signatureType = "electronic signature (Ed25519); not a Ley 164 certified digital signature"
    let treeSize: Int
    let checkpoint: String
    let items: [Item]
    let signers: [CustodySigner]

    init(_ dossier: CustodyDossier, generatedAt: String, generatedBy: String?) {
        vault = dossier.vaultID
        self.generatedAt = generatedAt
        self.generatedBy = generatedBy
        treeSize = dossier.treeSize
        checkpoint = dossier.checkpoint
        signers = dossier.signers
        items = dossier.records.map { record in
            Item(
                item: record.item, caseID: record.caseID, itemClass: record.itemClass, size: record.size,
                sha256: record.sha256, sha512: record.sha512, original: record.object,
                workingCopies: record.events.filter { $0.kind == "access" || $0.kind == "export" }.map(\.entry),
                custodian: record.custodian, holder: record.holder, sealed: record.sealed,
                disposalRequested: record.disposalRequested,
                legalHold: record.legalHold, unbroken: record.unbroken, gaps: record.gaps,
                events: record.events.map { event in
                    Event(
                        entry: event.entry, kind: event.kind, type: event.type, time: event.time,
                        timeLaPaz: CustodyText.laPaz(event.time), author: event.author, fields: event.fields,
                        leafHash: event.leafHash, signedEntry: event.signedEntry,
                        inclusionProof: dossier.proofs[String(event.entry)] ?? "", remarks: event.remarks,
                        actor: event.actor, from: event.from, to: event.to)
                })
        }
    }

    /// Pretty, key-sorted JSON.
    func text() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
