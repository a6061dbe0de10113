import CaseVaultCore

/// `list --json`: the same bytes `Printer.json` makes of `[Item]` (or, with --names, of items paired with
/// their file names), written by hand because `JSONEncoder` took most of a 10,000-item listing's time.
/// Keys are in sorted order; a nil optional is left out, as the synthesized `Encodable` does. A test checks
/// the output against the encoder's.
enum ItemListJSON {
    /// The JSON text, newline included. `names` maps item ids to decrypted file names (nil: no --names).
    static func render(_ items: [Item], names: [String: String?]?) -> [UInt8] {
        var json = JSONText(reservingCapacity: items.count * (names == nil ? 420 : 480) + 8)
        json.beginArray()
        for item in items {
            if let names {
                json.beginObject()
                json.member("filename", names[item.id] ?? nil)
                json.key("item")
                append(item, to: &json)
                json.endObject()
            } else {
                append(item, to: &json)
            }
        }
        json.endArray()
        return json.bytes + [UInt8(ascii: "\n")]
    }

    private static func append(_ item: Item, to json: inout JSONText) {
        json.beginObject()
        json.member("caseID", item.caseID)
        json.member("createdAt", item.createdAt)
        json.member("createdBy", item.createdBy)
        json.member("id", item.id)
        json.member("itemClass", item.itemClass.rawValue)
        json.member("object", item.object)
        json.key("readers")
        json.value(item.readers)
        json.member("replaces", item.replaces)
        json.member("sha256", item.sha256)
        json.key("size")
        json.value(item.size)
        json.endObject()
    }
}
