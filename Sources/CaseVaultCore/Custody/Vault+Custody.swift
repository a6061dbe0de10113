import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import GRDB

/// What a transfer of custody is for (`custody.transfer`'s `purpose`).
public enum TransferPurpose: String, Sendable, CaseIterable, Codable {
    /// Handed to another member of the team.
    case handover
    /// A working copy for analysis; the original stays where it is.
    case workingCopy = "working-copy"
    /// Handed to the prosecutor (*entrega a Fiscalía*).
    case prosecutor
    /// Handed to the forensic institute (*entrega al IDIF*).
    case forensicInstitute = "forensic-institute"
    /// Returned to whoever held it before.
    case `return`
}

/// The result of `verifyCustody`: the hashes recomputed, against those the intake bound.
public struct CustodyVerification: Sendable, Equatable, Codable {
    public let item: String
    /// The object's name, which is the SHA-256 of its bytes, and the SHA-256 of the bytes found.
    public let objectExpected: String
    public let objectComputed: String
    /// The plaintext's SHA-256 as the intake bound it, and as recomputed (only for a reader; nil when the
    /// object could not be decrypted, as a damaged one cannot).
    public let plaintextExpected: String
    public let plaintextComputed: String?
    /// Whether the verifier could decrypt (held a reader role).
    public let plaintextChecked: Bool
    /// The log entry that records this verification.
    public let entry: Int

    public var objectMatches: Bool { objectExpected == objectComputed }
    public var plaintextMatches: Bool? { plaintextComputed.map { $0 == plaintextExpected } }
}

extension Vault {
    /// Transfers custody of an item to `member`, who must hold one of its reader roles. Only a holder of a
    /// reader role, or the current custodian, may; not once the item is sealed. The reason is sealed to the
    /// item's readers. Returns the entry's index.
    @discardableResult
    public func transferCustody(
        _ itemID: String, to member: String, purpose: TransferPurpose, remarks: CustodyRemarks,
        by session: MemberSession
    ) throws -> Int {
        try checkSession(session)
        try refreshTrust()
        let facts = try custodyFacts(itemID)
        let state = try trusted().state
        try checkMayAct(session.member, itemID, facts)
        let roles = Self.roles(of: facts)
        guard state.members[member].map({ !$0.removed }) == true else {
            throw VaultError.unknownMember(member)
        }
        guard state.isReader(member, of: facts) else {
            throw VaultError.custodyRefused(
                item: itemID, .targetNotReader(member: member, readers: roles))
        }
        let chain = state.chain(of: itemID, item: facts)
        guard chain.custodian != member || chain.external != nil else {
            throw VaultError.custodyRefused(item: itemID, .alreadyCustodian(member))
        }
        return try recordCustody(
            itemID, .custodyTransfer, remarks: remarks, roles: roles, session: session
        ) {
            [("to", member), ("purpose", purpose.rawValue), ("private", $0)]
        }
    }

    /// Records a note (*observación*) about an item, sealed to its readers.
    @discardableResult
    public func annotateCustody(_ itemID: String, remarks: CustodyRemarks, by session: MemberSession)
        throws -> Int
    {
        try recordSimpleEvent(itemID, .custodyNote, remarks: remarks, session: session)
    }

    /// Seals an item for court: from then on only access, verification and export are recorded.
    @discardableResult
    public func sealCustody(_ itemID: String, remarks: CustodyRemarks, by session: MemberSession)
        throws -> Int
    {
        try recordSimpleEvent(itemID, .custodySeal, remarks: remarks, session: session)
    }

    /// Records a request to dispose of an item (*solicitud de baja*); nothing is deleted. Refused while the
    /// item or its case is under legal hold (`Vault+Hold.swift`).
    @discardableResult
    public func requestDisposal(_ itemID: String, remarks: CustodyRemarks, by session: MemberSession)
        throws -> Int
    {
        try refreshTrust()
        try checkNoHold(itemID)
        return try recordSimpleEvent(itemID, .custodyDisposal, remarks: remarks, session: session)
    }

    /// Re-hashes an item's object and, when `session` holds a reader role, its plaintext, and records what
    /// was found as a `custody.verify` event (a mismatch is recorded too: that is the point). Any member may
    /// verify; an auditor, who holds no reader role, checks the object only.
    public func verifyCustody(_ itemID: String, by session: MemberSession) throws
        -> CustodyVerification
    {
        try checkSession(session)
        try refreshTrust()
        let facts = try custodyFacts(itemID)
        let objectComputed = try hashObject(facts.object, item: itemID)
        var plaintextComputed: String?
        let reader = try trusted().state.isReader(session.member, of: facts)
        if reader { plaintextComputed = try hashPlaintext(itemID, session: session) }
        var fields = [("object-computed", objectComputed)]
        if let plaintextComputed { fields.append(("plaintext-computed", plaintextComputed)) }
        let entry = try write { db in
            try appendCustodyEvent(
                db, .custodyVerify, item: itemID, trailing: fields, by: LogAuthor(session: session),
                at: clock.timestamp())
        }
        return CustodyVerification(
            item: itemID, objectExpected: facts.object, objectComputed: objectComputed,
            plaintextExpected: facts.sha256, plaintextComputed: plaintextComputed,
            plaintextChecked: reader,
            entry: entry)
    }

    // MARK: Internals

    /// Appends a custody event for `itemID` in the caller's transaction: the item's SHA-256, object and
    /// previous event come from the verified log as it stands inside this transaction, so two members
    /// recording at once cannot both link to the same event. `leading` fields come between `item` and the
    /// link (as `item.get`'s `output`), `trailing` after it. Returns the entry's index.
    @discardableResult
    func appendCustodyEvent(
        _ db: Database, _ type: EntryType, item itemID: String, leading: [(String, String)] = [],
        trailing: [(String, String)] = [], by author: LogAuthor, at time: String
    ) throws -> Int {
        try trust.withLock { trusted in
            try trusted.catchUp(db)
            guard let facts = trusted.item(itemID) else { throw VaultError.unknownItem(itemID) }
            let link = [
                ("sha256", facts.sha256), ("object", facts.object),
                ("prev-event", String(trusted.state.chain(of: itemID, item: facts).last)),
            ]
            let fields = [("item", itemID)] + leading + link + trailing
            let index = trusted.size
            try trusted.append(
                db, type: type, fields: fields.map { (key: $0.0, value: $0.1) }, author: author, time: time)
            return index
        }
    }

    private func recordSimpleEvent(
        _ itemID: String, _ type: EntryType, remarks: CustodyRemarks, session: MemberSession
    ) throws -> Int {
        try checkSession(session)
        try refreshTrust()
        let facts = try custodyFacts(itemID)
        try checkMayAct(session.member, itemID, facts)
        return try recordCustody(
            itemID, type, remarks: remarks, roles: Self.roles(of: facts), session: session
        ) {
            [("private", $0)]
        }
    }

    /// Seals the remarks and appends the event, in one transaction.
    func recordCustody(
        _ itemID: String, _ type: EntryType, remarks: CustodyRemarks, roles: [String],
        session: MemberSession,
        fields: (String) -> [(String, String)]
    ) throws -> Int {
        try write { db in
            let hash = try storeRemarks(db, remarks, readers: roles)
            return try appendCustodyEvent(
                db, type, item: itemID, trailing: fields(hash), by: LogAuthor(session: session),
                at: clock.timestamp())
        }
    }

    /// The item's facts as the verified log binds them.
    func custodyFacts(_ itemID: String) throws -> LogState.Item {
        guard let facts = try trusted().item(itemID) else { throw VaultError.unknownItem(itemID) }
        return facts
    }

    /// The rules of `LogState.applyCustody`, checked first so that a refusal is worded for the user.
    func checkMayAct(_ member: String, _ itemID: String, _ facts: LogState.Item) throws {
        let state = try trusted().state
        let chain = state.chain(of: itemID, item: facts)
        guard !chain.sealed else { throw VaultError.custodyRefused(item: itemID, .sealed) }
        guard state.isReader(member, of: facts) || (chain.custodian == member && chain.external == nil) else {
            throw VaultError.custodyRefused(
                item: itemID,
                .notReaderOrCustodian(readers: Self.roles(of: facts), custodian: chain.custodian))
        }
    }

    static func roles(of facts: LogState.Item) -> [String] {
        facts.readers.map { String($0.split(separator: ":")[0]) }
    }

    /// The SHA-256 of an object's bytes, read in 1 MiB blocks.
    func hashObject(_ object: String, item: String) throws -> String {
        let source = try objects.open(object, subject: .item(item))
        let digest = try Digest(.sha256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return Hex.encode(try digest.finalize())
    }

    /// The SHA-256 of an item's plaintext, decrypted with the session's role keys; nil when the payload does
    /// not decrypt (damaged), which the recorded object hash then shows.
    private func hashPlaintext(_ itemID: String, session: MemberSession) throws -> String? {
        let opened = try openItem(itemID, session: { session })
        let digest = try Digest(.sha256)
        let source = try objects.open(opened.record.item.object, subject: .item(itemID))
        do {
            try PayloadDecryptor(fileKey: opened.fileKey, source: source).decrypt(to: DigestSink(digest))
        } catch is AgeError {
            return nil
        }
        return Hex.encode(try digest.finalize())
    }
}

/// Hashes what is written to it and keeps nothing (verified plaintext passes through once).
private final class DigestSink: ByteSink {
    private let digest: Digest
    init(_ digest: Digest) { self.digest = digest }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try digest.update(bytes) }
}
