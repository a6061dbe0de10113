import ArgumentParser
import CaseVaultCore

/// How items are shown to people: one table for listings, labelled fields for `show`.
enum ItemTable {
    /// Prints items as a table. `names` maps item ids to decrypted file names; nil leaves the column out.
    static func print(_ items: [Item], names: [String: String?]?) {
        var header = ["ITEM", "CASE", "CLASS", "SIZE", "ADDED", "BY", "READABLE BY", "SHA-256"]
        if names != nil { header.append("FILE") }
        // Cells go straight into the table (no array per row): listings of 10,000 items are common.
        var table = TextTable(header: header, rows: items.count)
        for item in items {
            table.add(item.id)
            table.add(item.caseID)
            table.add(item.itemClass.rawValue)
            table.add(Printer.size(item.size))
            table.add(item.createdAt)
            table.add(item.createdBy)
            table.add(Printer.roles(item.readers))
            let (digest, width) = shortDigest(item.sha256)
            table.add(digest, width: width)
            if let names {
                table.add((names[item.id] ?? nil).map(Printer.safe) ?? "(encrypted)")
            }
        }
        Console.write(bytes: table.render())
    }

    /// The first 16 hex digits of a SHA-256 and an ellipsis, with its width (17 characters, though not all
    /// ASCII) when that is certain. Taking bytes rather than characters matters at 10,000 rows.
    static func shortDigest(_ sha256: String) -> (String, Int?) {
        let digits = sha256.utf8.prefix(16)
        guard digits.count == 16, digits.allSatisfy({ $0 < 0x80 }) else { return (sha256.prefix(16) + "…", nil) }
        return (String(decoding: digits, as: UTF8.self) + "…", 17)
    }

    /// Prints one item's public record and, when readable, its decrypted description.
    static func show(_ details: ItemDetails, unlockedAs member: String?) {
        let item = details.item
        var fields: [(String, String)] = [
            ("Item", item.id),
            ("Case", item.caseID),
            ("Class", item.itemClass.rawValue),
            ("Size", "\(item.size) bytes (\(Printer.size(item.size)))"),
            ("SHA-256", item.sha256),
            ("Added", "\(item.createdAt) by \(item.createdBy)"),
            ("Readable by", Printer.roles(item.readers)),
        ]
        if let holds = details.legalHold { fields.append(("Legal hold", CustodyText.legalHold(holds, .en))) }
        if let replaces = item.replaces { fields.append(("Replaces", replaces)) }
        if !details.replacedBy.isEmpty {
            fields.append(("Replaced by", details.replacedBy.joined(separator: ", ")))
        }
        if let metadata = details.metadata {
            fields.append(("File name", Printer.safe(metadata.filename)))
            if let note = metadata.note { fields.append(("Note", Printer.safe(note))) }
            if let by = metadata.collectedBy { fields.append(("Collected by", Printer.safe(by))) }
            if let at = metadata.collectedAt { fields.append(("Collected at", Printer.safe(at))) }
            if let source = metadata.source { fields.append(("Source", Printer.safe(source))) }
            for (algorithm, digest) in metadata.digests.sorted(by: { $0.key < $1.key }) {
                fields.append((algorithm, digest))
            }
        } else if let member {
            fields.append(
                (
                    "Description",
                    "(encrypted: \(member) holds none of the roles \(Printer.roles(item.readers)))"
                ))
        } else {
            fields.append(("Description", "(encrypted; add --as NAME to decrypt the file name and note)"))
        }
        Printer.fields(fields)
    }

    /// A file name from an item's metadata, safe to create in the current folder: the last path component,
    /// never hidden, never `..`; nil when nothing usable is left.
    static func safeFileName(_ name: String) -> String? {
        let last = name.split(separator: "/").last.map(String.init) ?? ""
        let cleaned = String(
            last.unicodeScalars.filter { $0.properties.generalCategory != .control }.map(Character.init))
        let trimmed = cleaned.drop(while: { $0 == "." })
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

/// The item classes, as `--class` accepts them.
enum ItemClassArgument: String, CaseIterable, ExpressibleByArgument {
    case evidence, legal, clinical, social

    var itemClass: ItemClass {
        switch self {
        case .evidence: .evidence
        case .legal: .legal
        case .clinical: .clinical
        case .social: .social
        }
    }
}
