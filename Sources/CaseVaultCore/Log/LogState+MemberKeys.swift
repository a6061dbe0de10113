/// A member's new key pair in the log: `member.rekey`.
extension LogState {
    /// Applies `member.rekey`: signed by the member with their current key (so only the holder of the old
    /// key can name new ones); the new keys are no member's (their own old ones included). From the next entry
    /// on, the member signs with the new key, and the old one verifies nothing.
    mutating func rekeyMember(_ entry: LogEntry) throws(LogProblem) {
        guard let name = entry.value("member"), let recipient = entry.value("recipient"),
            let key = entry.value("signing-key")
        else { throw .malformed("member.rekey needs member, recipient and signing-key") }
        guard name == entry.author else { throw .notAuthorized("only a member gives themselves new keys") }
        guard members[name]?.removed == false else { throw .inconsistent("no member \(name)") }
        guard !members.values.contains(where: { $0.recipient == recipient || $0.signingKey == key }) else {
            throw .inconsistent("the new keys of \(name) belong to a member")
        }
        members[name]?.recipient = recipient
        members[name]?.signingKey = key
    }
}
