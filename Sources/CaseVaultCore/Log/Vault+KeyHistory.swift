import CaseVaultLog
import GRDB

extension Vault {
    /// Each member's note verifier key as it stood when the log had `size` entries: the key of the last entry
    /// below `size` that bound their keys (the genesis, `member.add` or `member.rekey`). A checkpoint of that
    /// size was signed with those keys, whatever the member holds now. Members added later are left out.
    func memberKeys(atSize size: Int, _ trusted: TrustedLog) throws -> [NoteVerifierKey] {
        try read { db in
            try trusted.state.members.keys.sorted().compactMap { name -> NoteVerifierKey? in
                guard let bound = trusted.entries(about: LogIndex.memberSubject(name)).last(where: { $0 < size })
                else { return nil }
                let (entry, _) = try verifiedEntry(db, at: bound, trusted: trusted)
                guard let key = entry.keyBinding?.signingKey else { throw VaultError.unknownMember(name) }
                return try SignedEntry.verifierKey(name: name, signingKeyHex: key)
            }
        }
    }
}
