/// The syntax replay holds entries' names and times to (Docs/FORMAT.md, "Verifying a log", step 4): the same
/// rules the CLI and the schema apply (`Names`), so that a correctly signed entry from a modified client
/// cannot put a name into the state that no command could have written, one that a note's key name, a
/// table's CHECK or the space-separated lines of later entries (`case ID HASH`) cannot hold.
extension LogState {
    /// Checks the entry's time, and every name the entry brings into the state: the genesis's admin, roles
    /// and reader roles; a new member's name (`member.add`, `recovery.restore`); a new case's or item's id.
    /// Every other name an entry carries must be one already in the state, so it was checked when it came in.
    func checkSyntax(_ entry: LogEntry) throws(LogProblem) {
        guard Self.isInstant(entry.time) else { throw .invalidTime(entry.time) }
        switch entry.type {
        case .genesis:
            try Self.check(.member, entry.author)
            for role in entry.values("role") { try Self.check(.role, role) }
            for line in entry.values("class-readers") {
                for role in line.split(separator: " ").dropFirst().flatMap({ $0.split(separator: ",") }) {
                    try Self.check(.role, String(role))
                }
            }
            for role in (entry.value("case-readers") ?? "").split(separator: ",") {
                try Self.check(.role, String(role))
            }
        case .memberAdd, .recoveryRestore:
            try Self.check(.member, try field(entry, "member"))
        case .caseCreate:
            try Self.check(.caseID, try field(entry, "case"))
        case .itemAdd:
            try Self.check(.itemID, try field(entry, "item"))
        default:
            break
        }
    }

    /// Refuses `value` unless it is of the syntax of `kind`.
    static func check(_ kind: VaultError.NameKind, _ value: String) throws(LogProblem) {
        let valid: Bool
        switch kind {
        case .member: valid = (try? Names.checkMember(value)) != nil
        case .role: valid = (try? Names.checkRole(value)) != nil
        case .caseID: valid = (try? Names.checkCase(value)) != nil
        case .itemID: valid = Names.isItemID(value)
        case .profileText: valid = true
        }
        guard valid else { throw .invalidName(kind: kind, value: value) }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` naming a real instant of the proleptic Gregorian calendar in UTC: month 01–12,
    /// a day the month has (29 February only in leap years), hour 00–23, minute and second 00–59 (no leap
    /// second). Times need not increase from entry to entry: each is its author's clock.
    static func isInstant(_ time: String) -> Bool {
        let bytes = Array(time.utf8)
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x5A
        else { return false }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day) && hour < 24 && minute < 60 && second < 60
    }
}
