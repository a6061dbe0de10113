import ArgumentParser
import CaseVaultCore

/// How items are shown to people: one table for listings, labelled fields for `show`.
enum ItemTable {
    /// Prints items as a table. `names` maps item ids to decrypted file names; nil leaves the column out.
    static func print(_ items: [Item], names: [String: String?]?) {
        var header = ["ITEM", "CASE", "CLASS", "SIZE", "ADDED", "BY", "READABLE BY", "SHA-256"]
        if names != nil { header.append("FILE") }
        Printer.table(
            header,
            items.map { item in
                var row = [
                    item.id, item.caseID, item.itemClass.rawValue, Printer.size(item.size), item.createdAt,
                    item.createdBy,
                    Printer.roles(item.readers), String(item.sha256.prefix(16)) + "…",
                ]
                if let names {
                    row.append((names[item.id] ?? nil).map(Printer.safe) ?? "(encrypted)")
                }
                return row
            })
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
