import CaseVaultCrypto

/// What kind of document an item is; the class decides its default reader roles.
public enum ItemClass: String, Sendable, Codable, CaseIterable, Hashable {
    /// Evidence: photos, recordings, messages. Default readers: lawyer, mentor.
    case evidence
    /// Legal documents: complaints, court filings. Default readers: lawyer, mentor.
    case legal
    /// Clinical notes. Default reader: psychologist.
    case clinical
    /// Social reports. Default readers: social-worker, psychologist.
    case social
}

/// An item's public record: what anyone with the vault folder can see.
public struct Item: Sendable, Equatable, Codable {
    /// Opaque random id, `it_` and 16 hex digits.
    public let id: String
    public let caseID: String
    public let itemClass: ItemClass
    /// Plaintext size in bytes.
    public let size: Int64
    /// SHA-256 of the plaintext, hex.
    public let sha256: String
    /// Name of the encrypted payload in `objects/` (SHA-256 of its bytes), hex.
    public let object: String
    /// Roles whose keys can open the item.
    public let readers: [String]
    /// The item this one is a new version of.
    public let replaces: String?
    public let createdAt: String
    public let createdBy: String
}

/// The encrypted description of an item, readable only by its reader roles.
public struct ItemMetadata: Sendable, Equatable, Codable {
    /// The original file name (last path component).
    public var filename: String
    public var note: String?
    public var collectedBy: String?
    public var collectedAt: String?
    public var source: String?
    /// Extra digests of the plaintext requested at add time, by algorithm ("SHA-512": hex).
    public var digests: [String: String]

    public init(
        filename: String, note: String? = nil, collectedBy: String? = nil, collectedAt: String? = nil,
        source: String? = nil,
        digests: [String: String] = [:]
    ) {
        self.filename = filename
        self.note = note
        self.collectedBy = collectedBy
        self.collectedAt = collectedAt
        self.source = source
        self.digests = digests
    }

    private enum CodingKeys: String, CodingKey {
        case filename, note, collectedBy, collectedAt, source, digests
    }

    /// Metadata written before `digests` was left out when empty still reads (`"digests":{}`).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        filename = try container.decode(String.self, forKey: .filename)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        collectedBy = try container.decodeIfPresent(String.self, forKey: .collectedBy)
        collectedAt = try container.decodeIfPresent(String.self, forKey: .collectedAt)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        digests = try container.decodeIfPresent([String: String].self, forKey: .digests) ?? [:]
    }

    /// Optional keys are absent when not given (Docs/FORMAT.md), `digests` included when there are none.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(filename, forKey: .filename)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encodeIfPresent(collectedBy, forKey: .collectedBy)
        try container.encodeIfPresent(collectedAt, forKey: .collectedAt)
        try container.encodeIfPresent(source, forKey: .source)
        if !digests.isEmpty { try container.encode(digests, forKey: .digests) }
    }
}

/// An item with its metadata decrypted, when the acting member can.
public struct ItemDetails: Sendable, Equatable, Codable {
    public let item: Item
    /// nil when the acting member holds none of the item's reader roles.
    public let metadata: ItemMetadata?
    /// Items that name this one in `replaces`.
    public let replacedBy: [String]
    /// The legal holds on the item and its case (filled by `showItem`).
    public var legalHold: ItemHolds?
}

/// How `add` stores files.
public struct AddOptions: Sendable {
    public var itemClass: ItemClass
    /// Reader roles; nil means the class's defaults.
    public var readers: [String]?
    public var note: String?
    public var collectedBy: String?
    public var collectedAt: String?
    public var source: String?
    /// The item this file is a new version of (same case; only with a single file).
    public var replaces: String?
    /// Digests computed besides SHA-256 (which is always computed), e.g. `[.sha512]` for forensic reports.
    /// MD5 is not offered: the crypto layer exposes SHA-256 and SHA-512 only.
    public var extraDigests: [Digest.Algorithm]
    /// The file name recorded in the metadata, instead of the path's last component (single file only).
    public var filename: String?
    /// Called as bytes are encrypted: (file index, bytes done, file size). For progress bars. The files of a
    /// batch are encrypted on several threads at once, so calls for different files may interleave.
    public var progress: (@Sendable (Int, Int64, Int64) -> Void)?
    /// The intake record in clear in the signed `item.add` entry (its custody intake event): where custody
    /// came from and how the bytes were acquired. Identifying details stay in the encrypted metadata.
    public var origin: IntakeOrigin?
    public var method: IntakeMethod?
    /// Threads that encrypt the files of a batch (nil: one per core). Tests set 1 to compare with serial.
    var threads: Int?
    /// The most bytes an add encrypts while holding the vault's write lock (`Vault.add`). Tests lower it.
    var lockedEncryptionLimit: Int64 = 64 << 20

    public init(
        itemClass: ItemClass = .evidence, readers: [String]? = nil, note: String? = nil, collectedBy: String? = nil,
        collectedAt: String? = nil, source: String? = nil, replaces: String? = nil,
        extraDigests: [Digest.Algorithm] = [],
        filename: String? = nil, progress: (@Sendable (Int, Int64, Int64) -> Void)? = nil
    ) {
        self.itemClass = itemClass
        self.readers = readers
        self.note = note
        self.collectedBy = collectedBy
        self.collectedAt = collectedAt
        self.source = source
        self.replaces = replaces
        self.extraDigests = extraDigests
        self.filename = filename
        self.progress = progress
    }
}

/// Where `export` sends an item.
public enum ExportTarget: Sendable {
    /// An age X25519 recipient, `age1…`.
    case recipient(String)
    /// A passphrase (age's scrypt recipient), with its work factor.
    case passphrase(SecureBytes, workFactor: Int = 18)
}

/// Where custody of an item came from (*aportación de la víctima*, *entrega de tercero*, *recolección propia*).
public enum IntakeOrigin: String, Sendable, CaseIterable, Codable {
    case survivor
    case thirdParty = "third-party"
    case team
}

/// How the bytes were acquired: the original file, or an exact (bit-for-bit) copy (*copia fiel*).
public enum IntakeMethod: String, Sendable, CaseIterable, Codable {
    case original
    case exactCopy = "exact-copy"
}

extension AddOptions {
    /// The optional intake fields of `item.add`, in the entry's order (Docs/FORMAT.md, "Custody events").
    func intakeFields(sha512: String?) -> [(String, String)] {
        var fields: [(String, String)] = []
        if let origin { fields.append(("origin", origin.rawValue)) }
        if let method { fields.append(("method", method.rawValue)) }
        if let sha512 { fields.append(("sha512", sha512)) }
        return fields
    }
}
