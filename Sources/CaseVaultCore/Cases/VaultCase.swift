/// A case as `case list` and `case show` present it. `title` and `survivor` are filled only when the
/// acting member can decrypt the case metadata.
public struct VaultCase: Sendable, Equatable, Codable {
    public let id: String
    public let createdAt: String
    public let createdBy: String
    /// Roles whose keys the case metadata is encrypted to.
    public let readers: [String]
    public let itemCount: Int
    /// Whether the acting member could decrypt the metadata (false for listings without a session).
    public let metadataReadable: Bool
    public let title: String?
    public let survivor: String?
}

/// The encrypted part of a case: never stored in the clear.
struct CaseMetadata: Codable {
    var title: String?
    var survivor: String?
}
