import CaseVaultCrypto
import GRDB

extension Vault {
    /// The indexes of every entry that binds a member's key (genesis, `member.add`, `member.rekey`) and of
    /// every `member.profile`, in log order: what `CustodyParties` needs, and what a bundle carries so that
    /// each signature is checked against the key bound at its position.
    func partyEntryIndexes(_ trusted: TrustedLog) -> [Int] {
        let bindings =
            trusted.state.members.keys.flatMap { trusted.entries(about: LogIndex.memberSubject($0)) }
            + trusted.entries(about: LogIndex.recoveryKeySubject)
        let profiles = (trusted.state.profiles ?? [:]).values.flatMap { $0.map(\.entry) }
        return Set(bindings + profiles).sorted()
    }

    /// Those entries, read from the vault and checked against the verified tree.
    func partyEntries(_ db: Database, _ trusted: TrustedLog) throws -> CustodyParties {
        CustodyParties(try partyEntryIndexes(trusted).map { ($0, try verifiedEntry(db, at: $0, trusted: trusted).0) })
    }
}

extension CustodyParties {
    /// Every key bound to `member`, oldest first.
    func keyHistory(of member: String) -> [CustodySignerKey] {
        allKeys(of: member).map { index, key in
            CustodySignerKey(
                boundBy: index, signingKey: key,
                fingerprint: Self.fingerprint(ofSigningKey: key) ?? "")
        }
    }
}
