extension LogEntry {
    /// The member and signing key (hex) this entry binds, for the entries that bind a member's key: the
    /// genesis (its founding admin), `member.add`, `member.rekey` and `recovery.restore` (the admin the
    /// recovery key admits). Nil for any other entry.
    public var keyBinding: (member: String, signingKey: String)? {
        switch type {
        case .genesis:
            let admin = (value("admin") ?? "").split(separator: " ").map(String.init)
            return admin.count == 3 ? (admin[0], admin[2]) : nil
        case .memberAdd, .memberRekey, .recoveryRestore:
            guard let member = value("member"), let key = value("signing-key") else { return nil }
            return (member, key)
        default:
            return nil
        }
    }
}
