/// One event of an item's chain of custody, as the signed log has it. Everything here is in clear for an
/// auditor (staff names, times, actions, hashes) except `remarks`, which only a reader gets, decrypted.
public struct CustodyEvent: Sendable, Equatable, Codable {
    /// The entry's leaf index in the log.
    public let entry: Int
    /// intake, access, export, transfer, verified, annotated, sealed or disposal-requested.
    public let kind: String
    /// The entry type (`item.add`, `custody.transfer`, …).
    public let type: String
    /// ISO 8601, UTC, from the author's clock.
    public let time: String
    /// Who signed it.
    public let author: String
    /// The entry's own fields (ids, hashes, names, purposes; the `private` field is the SHA-256 of the
    /// encrypted remarks).
    public let fields: [String: String]
    /// The RFC 9162 leaf hash of the signed entry, hex.
    public let leafHash: String
    /// The signed entry, byte for byte (a C2SP signed note): what a bundle holds.
    public let signedEntry: String
    /// The event's remarks, for a reader; nil otherwise or when it has none.
    public var remarks: CustodyRemarks?
    /// Who signed it, with their position, institution and key as of the event (for the intake: who
    /// received the item). Nil only in a record made before profiles.
    public var actor: CustodyParty?
    /// For a transfer: who held the item before it, and who holds it after.
    public var from: CustodyParty?
    public var to: CustodyParty?
}

/// A signer of custody events: the key that verifies their signatures and the signed entry that bound that
/// key to the person (`member.add`, or the genesis for the founding admin).
public struct CustodySigner: Sendable, Equatable, Codable {
    public let name: String
    /// The Ed25519 public key, hex.
    public let signingKey: String
    /// SHA-256 of the 32-byte public key, hex: what a person reads aloud to compare keys.
    public let fingerprint: String
    /// The entry that binds the key to the member.
    public let boundBy: Int
    /// The roles they hold now, in the genesis's order.
    public let roles: [String]
    /// Every key the log bound to them, oldest first (a rekey binds a new one; events signed before it verify
    /// with the one bound then).
    public var keys: [CustodySignerKey]?
}

/// One key bound to a signer: the entry that bound it, the key (hex) and its fingerprint.
public struct CustodySignerKey: Sendable, Equatable, Codable {
    public let boundBy: Int
    public let signingKey: String
    public let fingerprint: String

    public init(boundBy: Int, signingKey: String, fingerprint: String) {
        self.boundBy = boundBy
        self.signingKey = signingKey
        self.fingerprint = fingerprint
    }
}

/// A break or gap in a chain, for reports: a code, the entry, a sentence, and whether it means tampering.
public struct CustodyGap: Sendable, Equatable, Codable {
    public let code: String
    public let entry: Int?
    public let description: String
    public let tampering: Bool

    init(_ problem: CustodyChainCheck.Problem) {
        switch problem {
        case .noIntake: (code, entry) = ("noIntake", nil)
        case .otherItem(let e, _): (code, entry) = ("otherItem", e)
        case .otherHashes(let e): (code, entry) = ("otherHashes", e)
        case .brokenLink(let e, _, _): (code, entry) = ("brokenLink", e)
        case .outOfOrder(let e): (code, entry) = ("outOfOrder", e)
        case .unlinked(let e): (code, entry) = ("unlinked", e)
        case .notCustody(let e, _): (code, entry) = ("notCustody", e)
        case .afterSeal(let e): (code, entry) = ("afterSeal", e)
        }
        description = problem.description
        tampering = problem.isTampering
    }
}

/// An item's whole chain of custody, checked against the verified log.
public struct CustodyRecord: Sendable, Equatable, Codable {
    public let item: String
    public let caseID: String
    public let itemClass: String
    public let size: Int64
    /// SHA-256 of the plaintext as received (bound at intake), hex.
    public let sha256: String
    /// SHA-512 of the plaintext as received, when computed at intake.
    public let sha512: String?
    /// The encrypted original's name: the SHA-256 of its bytes.
    public let object: String
    /// The member responsible for the item; while someone outside the team holds it, the member who handed
    /// it over (`holder` names who holds it).
    public let custodian: String
    public let sealed: Bool
    public let disposalRequested: Bool
    /// The legal holds on the item and on its case, as they stand.
    public let legalHold: ItemHolds
    public let events: [CustodyEvent]
    /// Gaps and breaks; empty for an unbroken chain.
    public let gaps: [CustodyGap]

    /// Who holds the item at the end of its events: a member with their profile at the log's size, or the
    /// person outside the team the last transfer handed it to.
    public var holder: CustodyParty?

    public var unbroken: Bool { gaps.isEmpty }
}

/// The custody of one or more items, proved against one signed checkpoint.
public struct CustodyDossier: Sendable, Equatable, Codable {
    public let vaultID: String
    /// The latest signed checkpoint with its cosignatures, verbatim.
    public let checkpoint: String
    public let treeSize: Int
    public let records: [CustodyRecord]
    public let signers: [CustodySigner]
    /// C2SP tlog-proof text of each event's entry, by entry index (as a string key, for JSON).
    public let proofs: [String: String]
}
