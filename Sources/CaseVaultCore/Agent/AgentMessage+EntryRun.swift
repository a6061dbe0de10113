import CaseVaultLog

/// The sign-entries request: a run of log entries for the agent to make, sign and chain, as
/// Docs/ARCHITECTURE.md ("The unlock agent", "Protocol") specifies byte for byte:
///
///     vault id, member, tree size (decimal), one 32-byte hash per set bit of the size (the frontier,
///     largest subtree first), then per entry: type, time, its fields as `key value\n` lines
///
/// The reply `ok` holds one 64-byte signature per entry, in order.
extension AgentMessage {
    /// The most entries one request may carry; the 64 KiB frame bounds it too (an `item.add` template is
    /// about 500 bytes).
    static let maximumRunEntries = 128

    /// What a sign-entries request asks for.
    struct EntryRun {
        let vaultID: String
        let member: String
        let frontier: MerkleFrontier
        let templates: [EntryTemplate]
    }

    /// The request for `templates`, chained onto `frontier` of `vaultID`'s log, by `member`.
    static func entryRun(
        vaultID: String, member: String, frontier: MerkleFrontier, templates: ArraySlice<EntryTemplate>
    ) -> AgentMessage {
        let message = AgentMessage(.signEntries).append(vaultID).append(member).append(String(frontier.size))
        for hash in frontier.hashes { message.append(hash) }
        for template in templates {
            message.append(template.type.rawValue).append(template.time).append(fieldLines(template))
        }
        return message
    }

    /// The bytes a template adds to a request, for keeping each request within `maximumSize`.
    static func encodedCount(_ template: EntryTemplate) -> Int {
        12 + template.type.rawValue.utf8.count + template.time.utf8.count + fieldLines(template).utf8.count
    }

    /// The bytes of a request before its first template.
    static func runPrefixCount(vaultID: String, member: String, frontier: MerkleFrontier) -> Int {
        1 + 12 + vaultID.utf8.count + member.utf8.count + String(frontier.size).utf8.count
            + frontier.hashes.count * 36
    }

    private static func fieldLines(_ template: EntryTemplate) -> String {
        template.fields.map { "\($0.key) \($0.value)\n" }.joined()
    }

    /// Parses a sign-entries request strictly; throws `malformed` on anything else. Whether each entry is
    /// well formed is for the entry's own parser to say, once it is made.
    func entryRun() throws -> EntryRun {
        guard fieldCount >= 3 else { throw Self.malformed }
        let sizeText = try string(2)
        guard let size = UInt64(sizeText), String(size) == sizeText else { throw Self.malformed }
        let hashCount = size.nonzeroBitCount
        let first = 3 + hashCount
        let entries = (fieldCount - first) / 3
        guard fieldCount >= first, (fieldCount - first) % 3 == 0, (1...Self.maximumRunEntries).contains(entries)
        else { throw Self.malformed }
        let frontier: MerkleFrontier
        do { frontier = try MerkleFrontier(size: size, hashes: try (3..<first).map { try field($0) }) } catch {
            throw Self.malformed
        }
        let templates = try stride(from: first, to: fieldCount, by: 3).map { start in
            guard let type = EntryType(rawValue: try string(start)) else { throw Self.malformed }
            return EntryTemplate(
                type: type, time: try string(start + 1), fields: try Self.fields(try string(start + 2)))
        }
        return EntryRun(vaultID: try string(0), member: try string(1), frontier: frontier, templates: templates)
    }

    /// `key value\n` lines, each split at its first space. Read as bytes: splitting by `Character` was a
    /// sixth of the agent's work in a batch add. Lines end at every `\n` byte (a `Character` split kept
    /// `\r\n` whole), which changes nothing that is accepted: the entry made from the fields has the same
    /// text either way, and its parser refuses anything but printable ASCII.
    private static func fields(_ text: String) throws -> [(key: String, value: String)] {
        var text = text
        return try text.withUTF8 { bytes in
            guard bytes.isEmpty || bytes.last == 0x0A else { throw malformed }
            var fields: [(key: String, value: String)] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while bytes[end] != 0x0A { end += 1 }
                guard let space = bytes[start..<end].firstIndex(of: 0x20) else { throw malformed }
                // Cut at ASCII bytes only, so each part is whole UTF-8.
                fields.append(
                    (
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<space]), as: UTF8.self),
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[(space + 1)..<end]), as: UTF8.self)
                    ))
                start = end + 1
            }
            return fields
        }
    }
}
