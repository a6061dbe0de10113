import CaseVaultCrypto
import CaseVaultLog

extension Vault {
    /// For every auditor, the entries a bundle carries so that their cosignature can be checked without the
    /// vault: the last entry that bound their key (`member.add`, `member.rekey`) and the last grant of the
    /// auditor role to them.
    func auditorBindings() throws -> [Int] {
        let trusted = try trusted()
        return trusted.state.members.keys.filter { trusted.state.holds($0, Self.auditorRoleName) }.flatMap { name in
            [
                trusted.entries(about: LogIndex.memberSubject(name)).last,
                trusted.entries(about: LogIndex.roleSubject(Self.auditorRoleName, name)).last,
            ].compactMap { $0 }
        }
    }
}

extension CustodyBundle {
    /// The entry types `keys/bindings/` may hold: those that bind a member's key (a `recovery.restore` binds the
    /// admin it admits, and a `recovery.key` the key that signs it), role grants and profiles.
    static let bindingTypes: Set<EntryType> = [
        .genesis, .memberAdd, .memberRekey, .recoveryKey, .recoveryRestore, .roleGrant, .memberProfile,
    ]

    /// A cosignature counts only when its key is an auditor's: for each cosigner whose signature verified,
    /// the bundle's proved bindings (`bindings`, entries of the checkpoint's tree) must hold an entry that
    /// binds exactly that key to that member, and a grant of the auditor role to them. Inclusion proofs
    /// cannot show that nothing later revoked it; the vault's own log (`audit verify`) can.
    static func cosignerProblems(_ cosigners: [NoteVerifierKey], bindings: [(index: Int, entry: LogEntry)]) -> [String]
    {
        cosigners.compactMap { key in
            let name = key.name
            let boundKey = bindings.last { $0.entry.keyBinding?.member == name }?.entry.keyBinding?.signingKey
            guard boundKey == Hex.encode(key.publicKey.rawRepresentation) else {
                return "checkpoint.txt: the cosignature of \(name) is by a key no proved entry binds to \(name)"
            }
            let granted = bindings.contains {
                $0.entry.type == .roleGrant && $0.entry.value("role") == Vault.auditorRoleName
                    && $0.entry.value("member") == name
            }
            guard granted else {
                return "checkpoint.txt: the cosignature of \(name) is by no auditor (no proved auditor role grant)"
            }
            return nil
        }
    }
}
