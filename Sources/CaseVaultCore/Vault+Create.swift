import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// Creates a vault at `path` (a new or empty folder) with its first member, an admin.
    ///
    /// The admin's keys are generated here and sealed under `passphrase` in `keys/NAME.age`, or in
    /// `keyFile` when given (a path outside the vault; created 0600, never overwritten). The admin holds
    /// only `admin` plus `extraRoles` (for a one-person team, e.g. `["lawyer"]`): admins read no content
    /// unless they are also given a content role.
    ///
    /// Either the whole vault is created or, on any error, the folder is removed again.
    public static func create(
        at path: String, admin: String, passphrase: SecureBytes, extraRoles: [String] = [], keyFile: String? = nil,
        configuration: VaultConfiguration = VaultConfiguration(), clock: VaultClock = .system
    ) throws -> Vault {
        let path = normalized(path)
        try configuration.validate()
        try Names.checkMember(admin)
        for role in extraRoles where !configuration.roles.contains(role) { throw VaultError.unknownRole(role) }
        guard passphrase.count > 0 else { throw VaultError.emptyPassphrase }
        if let keyFile, FileSystem.exists(keyFile) { throw VaultError.keyFileExists(path: keyFile) }

        let createdFolder: Bool
        if FileSystem.exists(path) {
            guard FileSystem.isDirectory(path), FileSystem.contents(of: path).isEmpty else {
                throw VaultError.vaultExists(path: path)
            }
            // An existing empty folder is taken over; it must not stay readable by others.
            guard chmod(path, 0o700) == 0 else { throw IOError.system(.permissions, path: path) }
            createdFolder = false
        } else {
            try FileSystem.makeDirectory(path)
            createdFolder = true
        }
        var createdKeyFile: String?
        do {
            for sub in ["objects", "keys", "tmp"] { try FileSystem.makeDirectory("\(path)/\(sub)") }
            let keys = try MemberKeys.generate()
            let keyPath = keyFile ?? "\(path)/keys/\(admin).age"
            let sealed = try keys.sealedKeyFile(
                member: admin, passphrase: passphrase, workFactor: configuration.keyWorkFactor)
            try VaultFiles.writeNewFile(keyPath, bytes: sealed)
            createdKeyFile = keyPath

            // The database file is made 0600 before SQLite opens it; SQLite gives -wal and -shm the same bits.
            try FileSystem.writeNewFile("\(path)/\(databaseName)", bytes: [], mode: 0o600)
            let pool = try openDatabase(at: "\(path)/\(databaseName)")
            try mapDatabaseErrors { try Schema.migrator.migrate(pool) }
            // The genesis entry names the founding admin's keys and the vault's roles; its hash names the vault.
            let now = clock.timestamp()
            let author = LogAuthor(name: admin, keys: keys)
            let genesis = try author.signedNote(
                Self.genesisEntry(
                    admin: admin, recipient: keys.recipient, signingKey: keys.signingPublicKeyHex,
                    configuration: configuration, time: now
                ).body
            ).bytes
            let vaultID = Hex.encode(try Merkle.leafHash(genesis).prefix(16))
            let vault = Vault(path: path, database: pool, configuration: configuration, clock: clock, vaultID: vaultID)
            try vault.write { db in
                try vault.populateNewVault(
                    db, vaultID: vaultID, admin: admin, keys: keys, extraRoles: extraRoles, genesis: genesis, now: now)
            }
            try FileSystem.syncFolder(path)
            return vault
        } catch {
            if createdFolder {
                FileSystem.removeTree(path)
            } else {
                for name in FileSystem.contents(of: path) { FileSystem.removeTree("\(path)/\(name)") }
            }
            if let createdKeyFile, keyFile != nil { unlink(createdKeyFile) }
            throw error
        }
    }

    /// The genesis entry of a new vault (or, with `upgrade`, of one made before vaults had a log).
    static func genesisEntry(
        admin: String, recipient: String, signingKey: String, configuration: VaultConfiguration, time: String,
        upgrade: Bool = false
    ) throws -> LogEntry {
        var fields: [(key: String, value: String)] = [("admin", "\(admin) \(recipient) \(signingKey)")]
        for role in configuration.roles { fields.append(("role", role)) }
        for itemClass in ItemClass.allCases {
            let readers = configuration.classReaders[itemClass] ?? []
            fields.append(("class-readers", "\(itemClass.rawValue) \(readers.joined(separator: ","))"))
        }
        fields.append(("case-readers", configuration.caseReaders.joined(separator: ",")))
        fields.append(("upgrade", upgrade ? "yes" : "no"))
        return LogEntry(
            type: .genesis, vault: nil, previousSize: 0, previousRoot: try Merkle.emptyRoot(), time: time,
            author: admin, fields: fields)
    }

    private func populateNewVault(
        _ db: Database, vaultID: String, admin: String, keys: MemberKeys, extraRoles: [String], genesis: [UInt8],
        now: String
    ) throws {
        let author = LogAuthor(name: admin, keys: keys)
        try trust.withLock { try $0.append(db, note: genesis, author: author) }
        for (key, value) in [("format", Schema.formatVersion), ("vault_id", vaultID), ("created_at", now)] {
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [key, value])
        }
        for role in configuration.roles {
            try db.execute(sql: "INSERT INTO roles (name, created_at) VALUES (?, ?)", arguments: [role, now])
        }
        for (itemClass, readers) in configuration.classReaders {
            for role in Set(readers) {
                try db.execute(
                    sql: "INSERT INTO class_readers (class, role) VALUES (?, ?)", arguments: [itemClass.rawValue, role])
            }
        }
        for role in Set(configuration.caseReaders) {
            try db.execute(sql: "INSERT INTO case_reader_roles (role) VALUES (?)", arguments: [role])
        }
        try db.execute(
            sql: "INSERT INTO members (name, recipient, signing_key, created_at) VALUES (?, ?, ?, ?)",
            arguments: [admin, keys.recipient, keys.signingPublicKeyHex, now])
        let adminID = db.lastInsertedRowID
        try Journal.append(
            db, at: now, actor: admin, action: "vault.init", subject: vaultID,
            detail: "format \(Schema.formatVersion); roles \(configuration.roles.joined(separator: ","))")
        try Journal.append(db, at: now, actor: admin, action: "member.add", subject: admin, detail: "first admin")
        var roles = [Self.adminRoleName]
        for role in extraRoles where !roles.contains(role) { roles.append(role) }
        for role in roles {
            // Nobody holds anything yet, so the first generation of each of these roles is made here.
            try createFirstGeneration(
                db, role: role, for: adminID, recipient: keys.identity.recipient, by: adminID,
                author: author, now: now)
            try insertMembership(db, member: adminID, role: role, grantedBy: adminID, now: now)
            try Journal.append(db, at: now, actor: admin, action: "role.grant", subject: admin, detail: role)
            // The genesis makes its admin an admin; other roles are granted by an entry of their own.
            if role != Self.adminRoleName {
                try appendLog(db, .roleGrant, [("role", role), ("member", admin)], by: author, at: now)
            }
        }
    }

    static var adminRoleName: String { VaultConfiguration.adminRole }
}
