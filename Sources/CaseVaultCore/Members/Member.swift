import GRDB

/// A member as `member list` and `member show` present them.
public struct Member: Sendable, Equatable, Codable {
    public let name: String
    /// The member's age X25519 recipient, `age1…`.
    public let recipient: String
    /// The member's Ed25519 public key, hex.
    public let signingKey: String
    public let createdAt: String
    /// Who added the member (nil for the first admin).
    public let createdBy: String?
    public let removedAt: String?
    /// The roles the member holds now, sorted.
    public let roles: [String]
}

/// A `members` row with its internal id.
struct MemberRecord {
    let id: Int64
    let name: String
    let recipient: String
    let signingKey: String
    let createdAt: String
    let createdBy: String?
    let removedAt: String?

    static let selection = """
        SELECT m.id, m.name, m.recipient, m.signing_key, m.created_at, c.name AS created_by, m.removed_at
        FROM members m LEFT JOIN members c ON c.id = m.created_by
        """

    init(row: Row) {
        id = row["id"]
        name = row["name"]
        recipient = row["recipient"]
        signingKey = row["signing_key"]
        createdAt = row["created_at"]
        createdBy = row["created_by"]
        removedAt = row["removed_at"]
    }

    func member(roles: [String]) -> Member {
        Member(
            name: name, recipient: recipient, signingKey: signingKey, createdAt: createdAt, createdBy: createdBy,
            removedAt: removedAt, roles: roles)
    }
}
