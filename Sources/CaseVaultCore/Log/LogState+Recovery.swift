/// The organisation recovery key in the log: `recovery.key` and `recovery.restore`.
///
/// An admin sets the recovery key, naming its X25519 recipient (to which role generation keys are sealed)
/// and its Ed25519 signing key. Both are derived from one 32-byte secret that exists only as K-of-N shares
/// (`RecoveryKeys`). Whoever combines K shares can sign as the recovery key, and a `recovery.restore` entry
/// signed by it, and by nothing else, admits a new admin: the way back in when every admin's passphrase is
/// lost. That reconstruction exposed the secret, so the key restores nothing more; an admin sets a new one.
extension LogState {
    struct RecoveryKey: Sendable, Equatable, Codable {
        var keyID: String
        var recipient: String
        /// Ed25519 public key, hex.
        var signingKey: String
        var threshold: Int
        var shares: Int
        /// A restore reconstructed it: it signs no second restore.
        var used = false
    }

    /// Applies `recovery.key`: by an admin; a key id that names the recipient; 2 ≤ threshold ≤ shares ≤ 255;
    /// keys that are no member's, no role generation's, and no earlier recovery key's.
    mutating func setRecoveryKey(_ entry: LogEntry) throws(LogProblem) {
        guard holds(entry.author, Self.adminRole) else { throw .notAuthorized("only an admin sets the recovery key") }
        let keyID = try field(entry, "key-id")
        let recipient = try field(entry, "recipient")
        let signingKey = try field(entry, "signing-key")
        guard let threshold = Self.number(try field(entry, "threshold")),
            let shares = Self.number(try field(entry, "shares")), threshold >= 2, shares >= threshold, shares <= 255
        else { throw .malformed("threshold and shares must be 2 ≤ threshold ≤ shares ≤ 255") }
        guard (try? RecoveryKeys.keyID(recipient: recipient)) == keyID else {
            throw .malformed("the key-id is not the recipient's")
        }
        guard signingKey.count == 64, signingKey.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .malformed("the signing key is not 32 bytes of lower-case hex")
        }
        guard !members.values.contains(where: { $0.recipient == recipient || $0.signingKey == signingKey }),
            !roles.values.contains(where: { $0.generations.values.contains(recipient) }),
            !(retiredRecoveryKeys ?? []).contains(keyID), recovery?.keyID != keyID
        else { throw .inconsistent("the recovery keys are in use elsewhere") }
        if let old = recovery { retiredRecoveryKeys = (retiredRecoveryKeys ?? []) + [old.keyID] }
        recovery = RecoveryKey(
            keyID: keyID, recipient: recipient, signingKey: signingKey, threshold: threshold, shares: shares)
    }

    /// The key that must have signed a `recovery.restore`: the current recovery key's, if it has not restored
    /// already, under the name of the member it admits.
    func recoverySigningKey(of entry: LogEntry) throws(LogProblem) -> String {
        guard let recovery else { throw .notAuthorized("there is no recovery key") }
        guard !recovery.used else { throw .notAuthorized("the recovery key was used; it restores only once") }
        guard entry.value("member") == entry.author else {
            throw .malformed("a recovery.restore is signed in the name of the member it admits")
        }
        return recovery.signingKey
    }

    /// Applies `recovery.restore`: the current recovery key's id; a new member with keys nobody has; the roles
    /// it grants exist, have a key, are listed once and include admin. The member holds them from now on.
    mutating func restoreByRecovery(_ entry: LogEntry) throws(LogProblem) {
        guard let current = recovery, try field(entry, "key-id") == current.keyID else {
            throw .inconsistent("the restore names another recovery key")
        }
        let name = try field(entry, "member")
        guard members[name] == nil else { throw .inconsistent("member \(name) exists") }
        let recipient = try field(entry, "recipient")
        let key = try field(entry, "signing-key")
        guard !members.values.contains(where: { $0.recipient == recipient || $0.signingKey == key }),
            recipient != current.recipient, key != current.signingKey
        else { throw .inconsistent("the keys of \(name) belong to another member or to the recovery key") }
        let granted = entry.values("role")
        guard Set(granted).count == granted.count else { throw .malformed("a role is listed twice") }
        guard granted.contains(Self.adminRole) else { throw .inconsistent("a restore admits an admin") }
        for role in granted where (roles[role]?.current ?? 0) == 0 {
            throw .inconsistent("role \(role) does not exist or has no key")
        }
        members[name] = Member(recipient: recipient, signingKey: key)
        for role in granted { roles[role]?.holders.insert(name) }
        recovery?.used = true
    }

    private static func number(_ text: String) -> Int? {
        guard let value = Int(text), String(value) == text else { return nil }
        return value
    }
}
