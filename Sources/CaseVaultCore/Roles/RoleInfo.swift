/// A role as `role list` shows it.
public struct RoleInfo: Sendable, Equatable, Codable {
    public let name: String
    /// How many key generations the role has had (0 until someone first holds it).
    public let generations: Int
    /// The `age1…` recipient of the current generation, to which new items are wrapped.
    public let currentRecipient: String?
    /// Members who hold the role now.
    public let holders: [String]
    /// Item classes this role reads by default.
    public let defaultReaderOf: [ItemClass]
    /// Whether the role can read case titles and survivor pseudonyms.
    public let readsCaseMetadata: Bool
}

/// One generation of a role's key pair.
public struct RoleGeneration: Sendable, Equatable, Codable {
    public let role: String
    public let generation: Int
    public let recipient: String
    public let createdAt: String
    public let retiredAt: String?
}
