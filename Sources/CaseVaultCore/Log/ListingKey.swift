/// One string standing for every public field a listing reports of an item, so that a listing of 10,000
/// items compares one string per item with what the log signed, instead of seven fields and a set of roles.
/// Each field is length-prefixed (`<bytes>:<field>`), so two different records never share a key whatever
/// their fields hold (a record copied into the folder may hold any bytes).
enum ListingKey {
    static func make(
        caseID: String, itemClass: String, size: Int64, sha256: String, object: String, replaces: String?,
        roles: [String]
    ) -> String {
        var bytes: [UInt8] = []
        append(
            caseID: caseID, itemClass: itemClass, size: size, sha256: sha256, object: object, replaces: replaces,
            roles: roles, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the key's bytes to `bytes`: a listing reuses one buffer for every item, so comparing a listed
    /// item with its signed key allocates nothing.
    static func append(
        caseID: String, itemClass: String, size: Int64, sha256: String, object: String, replaces: String?,
        roles: [String], to bytes: inout [UInt8]
    ) {
        func field(_ text: String) {
            bytes.append(contentsOf: String(text.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: text.utf8)
        }
        field(caseID)
        field(itemClass)
        field(String(size))
        field(sha256)
        field(object)
        field(replaces.map { "+" + $0 } ?? "-")
        // A listing's roles are already sorted (the query orders them); sorting again costs nothing then.
        if roles.count < 2 { roles.forEach(field) } else { roles.sorted().forEach(field) }
    }

    /// Whether `key` holds exactly `bytes`.
    static func equals(_ key: String, _ bytes: [UInt8]) -> Bool {
        var key = key
        return key.withUTF8 { $0.elementsEqual(bytes) }
    }
}

extension LogState.Item {
    /// The listing key of the item as its entry signed it (reader roles without their generations).
    var listingKey: String {
        ListingKey.make(
            caseID: caseID, itemClass: itemClass, size: size, sha256: sha256, object: object, replaces: replaces,
            roles: readers.map { String($0.prefix { $0 != ":" }) })
    }
}

extension Item {
    /// The listing key of the item as the vault's tables describe it.
    var listingKey: String {
        var bytes: [UInt8] = []
        listingKeyBytes(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same, appended to a reused buffer.
    func listingKeyBytes(into bytes: inout [UInt8]) {
        ListingKey.append(
            caseID: caseID, itemClass: itemClass.rawValue, size: size, sha256: sha256, object: object,
            replaces: replaces, roles: readers, to: &bytes)
    }
}
