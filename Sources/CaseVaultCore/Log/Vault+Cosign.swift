import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// The auditor role, whose holders cosign checkpoints.
    static let auditorRoleName = "auditor"

    /// A C2SP tlog-proof that entry `index` is in the log, against the latest checkpoint (with its
    /// cosignatures). Verified before it is returned.
    public func inclusionProof(ofEntry index: Int) throws -> [UInt8] {
        let trusted = try trusted()
        guard index >= 0, index < trusted.size else { throw VaultError.unknownEntry(index) }
        // From the verified cache's subtree roots: O(log² n) reads, not the whole log.
        let nodes = trusted.nodeHashes()
        let proof = try Merkle.inclusionProof(index: index, size: trusted.size, nodeHash: nodes)
        let text = try InclusionProofText(index: UInt64(index), proof: proof, checkpointNote: try latestCheckpoint())
        _ = try text.verify(
            leafHash: try nodes(0, index), knownKeys: try memberKeys(trusted),
            origin: TrustedLog.origin(vaultID: vaultID))
        return text.bytes
    }

    /// The entry that added `itemID` to the log.
    public func entryIndex(ofItem itemID: String) throws -> Int {
        guard let item = try trusted().item(itemID) else { throw VaultError.unknownItem(itemID) }
        return item.index
    }

    /// An auditor countersigns the latest checkpoint (C2SP tlog-cosignature, `cosignature/v1`, with their
    /// Ed25519 signing key), after proving that it extends `previous`, the last checkpoint they cosigned
    /// (kept in their own state folder). A vault that shows them a smaller or different tree is refused.
    /// The cosignature is stored with the vault; the cosigned checkpoint is returned.
    public func cosignLatestCheckpoint(by session: MemberSession, previous: [UInt8]?, at time: UInt64) throws -> [UInt8]
    {
        try checkSession(session)
        let trusted = try trusted()
        guard trusted.state.holds(session.member, Self.auditorRoleName) else {
            throw VaultError.notPermitted(.cosignByNonAuditor)
        }
        if let previous { try verifyConsistency(withCheckpoint: previous) }
        let note = try SignedNote(parsing: try latestCheckpoint())
        let checkpoint = try Checkpoint(parsing: note.text)
        guard let raw = Hex.decode(session.signingPublicKey) else {
            throw VaultError.notInLog(.member(session.member, field: "signing key"))
        }
        let keyID = try NoteKeyName.keyID(name: session.member, type: .cosignatureV1, publicKey: raw)
        let signature = try session.sign(Cosignature.signedMessage(checkpointText: checkpoint.text, timestamp: time))
        let timeBytes = (0..<8).map { UInt8(truncatingIfNeeded: time >> (56 - 8 * $0)) }
        let line = SignedNote.Signature(keyName: session.member, keyID: keyID, signature: timeBytes + signature)
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO log_cosignatures (size, cosigner, line) VALUES (?, ?, ?)",
                arguments: [Int(checkpoint.size), session.member, line.line])
        }
        return try latestCheckpoint()
    }

    /// Cosigner keys of the auditors the log knows, for checking cosignatures.
    public func cosignerKeys() throws -> [String] {
        let state = try trusted().state
        return try state.members.filter { state.holds($0.key, Self.auditorRoleName) }.compactMap { name, member in
            guard let raw = Hex.decode(member.signingKey) else { return nil }
            return try NoteVerifierKey(
                name: name, publicKey: Ed25519.PublicKey(rawRepresentation: raw), type: .cosignatureV1
            ).text
        }
    }

    func memberKeys(_ trusted: TrustedLog) throws -> [NoteVerifierKey] {
        try trusted.state.members.map { try SignedEntry.verifierKey(name: $0.key, signingKeyHex: $0.value.signingKey) }
    }
}
