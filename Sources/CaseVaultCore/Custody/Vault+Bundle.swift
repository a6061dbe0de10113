import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

/// What goes into an evidence bundle's payload for each item.
public enum BundlePayload: Sendable {
    /// An age file for this recipient (exported: a custody event).
    case encrypted(ExportTarget)
    /// The plaintext, for a reader who asks (read: a custody event).
    case plaintext
}

extension Vault {
    /// Writes an evidence bundle of `items` to the new folder `folder`: a BagIt 1.0 bag (Docs/FORMAT.md,
    /// "Evidence bundles") whose `data/` holds, per item, the exported age file (or the plaintext), its custody
    /// events as signed entries with their inclusion proofs and its chain as JSON; the latest checkpoint with
    /// its cosignatures; every member's and auditor's verification key with the entries that bind them; and a
    /// README in English and Spanish. Exporting is itself recorded, before the bundle is assembled, so the
    /// bundle holds its own export event. Remarks are never included. Returns the items' custody records.
    @discardableResult
    public func exportBundle(
        _ items: [String], payload: BundlePayload, to folder: String, purpose: CustodyRemarks?,
        by session: MemberSession
    ) throws -> [CustodyRecord] {
        try checkSession(session)
        guard !FileSystem.exists(folder) || FileSystem.isEmptyDirectory(folder) else {
            throw VaultError.outputExists(path: folder)
        }
        try refreshTrust()
        for id in items where try trusted().item(id) == nil { throw VaultError.unknownItem(id) }
        do {
            return try writeBundle(items, payload: payload, folder: folder, purpose: purpose, session: session)
        } catch {
            // A half-written bundle must not look like one: nothing of it is left.
            FileSystem.removeTree(folder)
            throw error
        }
    }

    private func writeBundle(
        _ items: [String], payload: BundlePayload, folder: String, purpose: CustodyRemarks?, session: MemberSession
    ) throws -> [CustodyRecord] {
        let data = folder + "/data"
        try FileSystem.makeDirectories(data + "/keys/bindings")
        for id in items {
            let base = "\(data)/items/\(id)"
            try FileSystem.makeDirectories(base + "/events")
            try FileSystem.makeDirectory(base + "/proofs")
            switch payload {
            case .encrypted(let target):
                try export(id, to: target, output: .file(path: "\(base)/\(id).age"), by: session, purpose: purpose)
            case .plaintext:
                try get(id, to: .file(path: "\(base)/\(id).bin"), by: session)
            }
        }
        let dossier = try custodyDossier(items: items, as: nil)
        for record in dossier.records {
            let base = "\(data)/items/\(record.item)"
            for event in record.events {
                try write(base + "/events/\(event.entry).entry", event.signedEntry)
                try write(base + "/proofs/\(event.entry).proof", dossier.proofs[String(event.entry)] ?? "")
            }
            // An event stored unsigned (a batch's intake) comes with the run.seal that signs it.
            let seals = try sealIndexes(covering: record.events.map(\.entry))
            if !seals.isEmpty { try FileSystem.makeDirectory(base + "/seals") }
            for seal in seals {
                try write(base + "/seals/\(seal).entry", try signedEntry(at: seal))
                try write(
                    base + "/seals/\(seal).proof", String(decoding: try inclusionProof(ofEntry: seal), as: UTF8.self))
            }
            try write(base + "/custody.json", try Self.bundleJSON(record))
            // A hold on the case is no event of the item: its entry comes along so that custody.json's
            // legalHold.caseHold is backed by a signed, proved entry.
            if let hold = record.legalHold.caseHold {
                try FileSystem.makeDirectory(base + "/case-hold")
                try write(base + "/case-hold/\(hold).entry", try signedEntry(at: hold))
                try write(
                    base + "/case-hold/\(hold).proof",
                    String(decoding: try inclusionProof(ofEntry: hold), as: UTF8.self))
            }
        }
        try write(data + "/checkpoint.txt", dossier.checkpoint)
        // The export's own entries make its checkpoint newer than any an auditor cosigned: the newest cosigned
        // one comes along, with a consistency proof to it, so that the auditors' witness reaches the bundle.
        let tree = try Checkpoint(parsing: try SignedNote(parsing: Array(dossier.checkpoint.utf8)).text)
        if let (note, proof) = try newestCosignedCheckpoint(upTo: Int(tree.size)) {
            try FileSystem.makeDirectory(data + "/cosigned")
            try write(data + "/cosigned/checkpoint.txt", note)
            try write(data + "/cosigned/consistency.txt", proof.map { Base64.encodePadded($0) + "\n" }.joined())
        }
        try write(data + "/keys/cosigners.txt", try cosignerKeys().map { $0 + "\n" }.joined())
        for signer in dossier.signers {
            try write(data + "/keys/\(signer.name).der", Self.ed25519DER(signer.signingKey))
        }
        // Every entry that bound a member's key (so that each event verifies with the key its author had when
        // signing it, across rekeys), every profile, and each auditor's role grant (for the cosignatures).
        var keys: [String] = []
        for index in Set(partyEntryIndexes(try trusted())).union(try auditorBindings()).sorted() {
            let note = try signedEntry(at: index)
            try write(data + "/keys/bindings/\(index).entry", note)
            try write(
                data + "/keys/bindings/\(index).proof",
                String(decoding: try inclusionProof(ofEntry: index), as: UTF8.self))
            if let binding = try LogEntry.parse(try SignedNote(parsing: Array(note.utf8)).text).keyBinding {
                keys.append(try SignedEntry.verifierKey(name: binding.member, signingKeyHex: binding.signingKey).text)
                try write(data + "/keys/bindings/\(index).der", Self.ed25519DER(binding.signingKey))
            }
        }
        try write(data + "/keys/members.txt", keys.map { $0 + "\n" }.joined())
        let signers = dossier.signers.map {
            BundleSigner(
                name: $0.name, signingKey: $0.signingKey, fingerprint: $0.fingerprint, boundBy: $0.boundBy,
                keys: $0.keys ?? [])
        }
        try write(data + "/keys/signers.json", try Self.bundleJSON(signers))
        try write(data + "/README.en.md", BundleReadme.english(vaultID: vaultID))
        try write(data + "/README.es.md", BundleReadme.spanish(vaultID: vaultID))
        try BagIt.finish(
            folder: folder,
            info: [
                ("Bag-Software-Agent", "casevault"), ("Bagging-Date", String(clock.timestamp().prefix(10))),
                ("External-Identifier", "casevault/\(vaultID)"),
                ("External-Description", "Chain-of-custody evidence bundle of \(items.count) item(s)"),
            ])
        return dossier.records
    }

    /// The signed entry at `index`, authenticated by an inclusion proof against the verified log.
    private func signedEntry(at index: Int) throws -> String {
        let note = try read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [index])
        }
        guard let note else { throw VaultError.unknownEntry(index) }
        let text = try InclusionProofText(parsing: try inclusionProof(ofEntry: index))
        _ = try text.verify(
            leafHash: try Merkle.leafHash([UInt8](note)), knownKeys: try memberKeys(try trusted()),
            origin: TrustedLog.origin(vaultID: vaultID))
        return String(decoding: note, as: UTF8.self)
    }

    private func write(_ path: String, _ text: String) throws {
        try FileSystem.writeNewFile(path, bytes: Array(text.utf8), mode: 0o644, sync: false)
    }

    private func write(_ path: String, _ bytes: [UInt8]) throws {
        try FileSystem.writeNewFile(path, bytes: bytes, mode: 0o644, sync: false)
    }

    static func bundleJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// An Ed25519 public key as DER SubjectPublicKeyInfo, for `openssl pkeyutl -verify -keyform DER`.
    static func ed25519DER(_ hex: String) -> [UInt8] {
        [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + (Hex.decode(hex) ?? [])
    }
}
