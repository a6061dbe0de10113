/// Offboarding in the log: `member.remove` and the rotations that must follow it.
///
/// A removal revokes every role the member holds, and the same author must then make the next generation of
/// each of those roles, in the genesis's role order, in the entries right after it. Until then no other entry
/// is accepted, and a log that ends before the last of them is refused: a client never sees a vault in which
/// a removed member's keys still open the current key of a role.
extension LogState {
    /// A removal whose rotations are still due.
    struct Removal: Sendable, Equatable, Codable {
        var member: String
        var author: String
        /// The roles still to rotate, in order.
        var roles: [String]
    }

    /// Applies a `member.remove` entry: the author is an admin other than the member; the member exists,
    /// is not removed, and is not the last holder of any role they hold.
    mutating func removeMember(_ entry: LogEntry) throws(LogProblem) {
        guard holds(entry.author, Self.adminRole) else { throw .notAuthorized("only an admin removes members") }
        guard let name = entry.value("member") else { throw .malformed("no member field") }
        guard name != entry.author else { throw .inconsistent("\(name) cannot remove themselves") }
        guard let member = members[name], !member.removed else { throw .inconsistent("no member \(name)") }
        let held = roleOrder.filter { holds(name, $0) }
        if let last = held.first(where: { roles[$0]?.holders.count == 1 }) {
            throw .inconsistent("\(name) is the last holder of \(last)")
        }
        members[name]?.removed = true
        for role in held { roles[role]?.holders.remove(name) }
        let due = held.filter { (roles[$0]?.current ?? 0) > 0 }
        removal = due.isEmpty ? nil : Removal(member: name, author: entry.author, roles: due)
    }

    /// While a removal's rotations are due, the next entry must be the next of them.
    func checkRemovalFollowUp(_ entry: LogEntry) throws(LogProblem) {
        guard let removal else { return }
        guard entry.type == .roleGeneration, entry.value("role") == removal.roles.first,
            entry.author == removal.author
        else {
            throw .inconsistent(
                "the removal of \(removal.member) must be followed by \(removal.author)'s rotation of "
                    + removal.roles.joined(separator: ", "))
        }
    }

    /// After an entry was applied: a rotation that a removal was waiting for is done.
    mutating func completeRemovalFollowUp(_ entry: LogEntry) {
        guard var pending = removal, entry.type == .roleGeneration, entry.value("role") == pending.roles.first
        else { return }
        pending.roles.removeFirst()
        removal = pending.roles.isEmpty ? nil : pending
    }

    /// A log may not end while a removal's rotations are due.
    func checkRemovalsComplete() throws(LogProblem) {
        guard let removal else { return }
        throw .inconsistent(
            "the log ends before the rotation of \(removal.roles.joined(separator: ", ")) "
                + "that the removal of \(removal.member) requires")
    }
}
