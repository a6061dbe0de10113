import CaseVaultAge

/// The replay rules of `backup.done` and `restore` (Docs/FORMAT.md, "Backups"). Both may be made by any
/// member (the author rule of every entry already requires an active member); they change no state a
/// client relies on, but what they claim must be well formed and possible at that point of the log.
extension LogState {
    /// `backup.done`: the backup id is 32 hex digits; the tree it holds is no larger than the log at this
    /// point (the copy is taken before the entry is appended, and other entries may come between); its root
    /// is 32 bytes of padded base64; the counts are canonical decimal numbers.
    func recordBackup(_ entry: LogEntry) throws(LogProblem) {
        let id = try field(entry, "backup")
        guard id.utf8.count == 32, id.utf8.allSatisfy(Self.isLowerHex) else {
            throw .malformed("the backup id is not 32 hex digits")
        }
        guard let held = Self.number(try field(entry, "size")), held >= 1 else {
            throw .malformed("the backup size is not a number")
        }
        guard held <= size else { throw .inconsistent("the backup holds more entries than the log has") }
        guard Self.isRoot(try field(entry, "root")) else { throw .malformed("the backup root is not 32 bytes") }
        guard Self.number(try field(entry, "objects")) != nil, Self.number(try field(entry, "bytes")) != nil else {
            throw .malformed("the object count or bytes of a backup is not a number")
        }
    }

    /// `restore`: the history the author had seen is longer than the log at this point (else nothing was
    /// rolled back), and its root is 32 bytes of padded base64.
    func recordRestore(_ entry: LogEntry) throws(LogProblem) {
        guard let seen = Self.number(try field(entry, "seen")) else { throw .malformed("seen is not a number") }
        guard seen > size else { throw .inconsistent("a restore names a seen history no longer than the log") }
        guard Self.isRoot(try field(entry, "seen-root")) else { throw .malformed("the seen root is not 32 bytes") }
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    /// A canonical non-negative decimal number (no sign, no leading zero).
    private static func number(_ text: String) -> Int? {
        guard let value = Int(text), value >= 0, String(value) == text else { return nil }
        return value
    }

    private static func isRoot(_ text: String) -> Bool {
        guard let root = try? Base64.decodePadded(text) else { return false }
        return root.count == 32 && Base64.encodePadded(root) == text
    }
}
