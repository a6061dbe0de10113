import CaseVaultCrypto
import CaseVaultLog
import GRDB

extension Vault {
    /// Appends an entry by `author` to the log, inside the caller's write transaction.
    func appendLog(
        _ db: Database, _ type: EntryType, _ fields: [(String, String)], by author: LogAuthor, at time: String
    ) throws {
        try trust.withLock { trusted in
            try trusted.append(
                db, type: type, fields: fields.map { (key: $0.0, value: $0.1) }, author: author, time: time)
        }
    }

    /// The log as this process verified it. Throws `SignedLogError.noLog` for a vault that has none yet.
    func trusted() throws -> TrustedLog {
        let trusted = trust.withLock { $0 }
        guard trusted.size > 0 else { throw SignedLogError.noLog }
        return trusted
    }

    /// Catches up with entries other processes appended since this vault was opened.
    func refreshTrust() throws {
        try read { db in
            try trust.withLock { trusted in
                guard trusted.size > 0 else { throw SignedLogError.noLog }
                try trusted.catchUp(db)
            }
        }
    }

    /// Hex SHA-256, as entries record the hashes of headers and encrypted metadata.
    static func sha256Hex(_ bytes: [UInt8]) throws -> String { Hex.encode(try Digest.hash(.sha256, bytes)) }

    /// `role:generation` pairs as entries list reader roles.
    static func readerList(_ readers: [(role: String, generation: Int)]) -> String {
        readers.map { "\($0.role):\($0.generation)" }.joined(separator: ",")
    }
}
