import GRDB

/// The vault database's schema, as string-named migrations. A migration that has shipped is never
/// edited: later changes are new migrations appended below. Every rule the vault relies on is a
/// constraint here too (foreign keys, CHECKs, UNIQUE, triggers), so a bug or a hand edit in SQL cannot
/// store what the code would refuse.
enum Schema {
    /// The format version written to `settings` at creation; FORMAT.md describes version 1.
    static let formatVersion = "1"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 vault core", migrate: createV1)
        migrator.registerMigration("v2 item reader stanza order", migrate: addStanzaOrder)
        migrator.registerMigration("v3 signed log", migrate: addSignedLog)
        migrator.registerMigration("v4 custody remarks", migrate: addCustodyRemarks)
        migrator.registerMigration("v5 recovery key", migrate: addRecoveryKey)
        migrator.registerMigration("v6 replaced-by index", migrate: addReplacedByIndex)
        migrator.registerMigration("v7 superseded objects", migrate: addSupersededObjects)
        return migrator
    }

    /// Migrations a read-only vault may lack and still be read: the recovery tables are read only once the
    /// log names a recovery key, which a vault made before them cannot, and an index only makes `show`
    /// faster. A vault on read-only media made by an earlier release is listed, shown and verified as it is.
    static let notNeededForReading: Set<String> = [
        "v5 recovery key", "v6 replaced-by index", "v7 superseded objects",
    ]

    /// The migrations `db` has not had, in order.
    static func pendingMigrations(_ db: Database) throws -> [String] {
        let applied = try migrator.appliedIdentifiers(db)
        return migrator.migrations.filter { !applied.contains($0) }
    }

    // Character rules shared by several CHECKs (GLOB classes; `NOT GLOB '*[^…]*'` means "only these").
    private static let memberNameCheck = """
        length(name) BETWEEN 1 AND 64 AND name GLOB '[a-z0-9]*' AND name NOT GLOB '*[^a-z0-9._-]*'
        """
    private static func hexCheck(_ column: String, length: Int) -> String {
        "length(\(column)) = \(length) AND \(column) NOT GLOB '*[^0-9a-f]*'"
    }
    private static func ageFileCheck(_ column: String) -> String {
        "substr(\(column), 1, 22) = CAST('age-encryption.org/v1' || char(10) AS BLOB)"
    }
    private static let recipientCheck =
        "length(recipient) = 62 AND recipient GLOB 'age1*' AND recipient NOT GLOB '*[^a-z0-9]*'"
    private static let timeCheck = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'"

    private static func createV1(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE settings (
                    key TEXT PRIMARY KEY NOT NULL CHECK (key GLOB '[a-z]*' AND key NOT GLOB '*[^a-z_]*'),
                    value TEXT NOT NULL
                );

                CREATE TABLE roles (
                    name TEXT PRIMARY KEY NOT NULL CHECK (
                        length(name) BETWEEN 1 AND 32 AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9-]*'),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck))
                );

                CREATE TABLE class_readers (
                    class TEXT NOT NULL CHECK (class IN ('evidence', 'legal', 'clinical', 'social')),
                    role TEXT NOT NULL REFERENCES roles(name),
                    PRIMARY KEY (class, role)
                ) WITHOUT ROWID;

                CREATE TABLE case_reader_roles (
                    role TEXT PRIMARY KEY NOT NULL REFERENCES roles(name)
                ) WITHOUT ROWID;

                CREATE TABLE members (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE CHECK (\(memberNameCheck)),
                    recipient TEXT NOT NULL UNIQUE CHECK (\(recipientCheck)),
                    signing_key TEXT NOT NULL UNIQUE CHECK (\(hexCheck("signing_key", length: 64))),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    created_by INTEGER REFERENCES members(id),
                    removed_at TEXT CHECK (removed_at IS NULL OR removed_at \(timeCheck))
                );

                CREATE TABLE memberships (
                    member INTEGER NOT NULL REFERENCES members(id),
                    role TEXT NOT NULL REFERENCES roles(name),
                    granted_at TEXT NOT NULL CHECK (granted_at \(timeCheck)),
                    granted_by INTEGER NOT NULL REFERENCES members(id),
                    PRIMARY KEY (member, role)
                ) WITHOUT ROWID;

                CREATE TABLE role_generations (
                    role TEXT NOT NULL REFERENCES roles(name),
                    generation INTEGER NOT NULL CHECK (generation >= 1),
                    recipient TEXT NOT NULL UNIQUE CHECK (\(recipientCheck)),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    created_by INTEGER NOT NULL REFERENCES members(id),
                    retired_at TEXT CHECK (retired_at IS NULL OR retired_at \(timeCheck)),
                    PRIMARY KEY (role, generation)
                ) WITHOUT ROWID;

                CREATE TABLE role_key_envelopes (
                    role TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    member INTEGER NOT NULL REFERENCES members(id),
                    envelope BLOB NOT NULL CHECK (\(ageFileCheck("envelope"))),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    PRIMARY KEY (role, generation, member),
                    FOREIGN KEY (role, generation) REFERENCES role_generations(role, generation)
                ) WITHOUT ROWID;

                CREATE TABLE cases (
                    id TEXT PRIMARY KEY NOT NULL CHECK (
                        length(id) BETWEEN 1 AND 64 AND id GLOB '[A-Za-z0-9]*' AND id NOT GLOB '*[^A-Za-z0-9._-]*'),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    created_by INTEGER NOT NULL REFERENCES members(id),
                    metadata BLOB NOT NULL CHECK (\(ageFileCheck("metadata")))
                ) WITHOUT ROWID;

                CREATE TABLE case_readers (
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    role TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    PRIMARY KEY (case_id, role),
                    FOREIGN KEY (role, generation) REFERENCES role_generations(role, generation)
                ) WITHOUT ROWID;

                CREATE TABLE items (
                    id TEXT PRIMARY KEY NOT NULL CHECK (
                        length(id) = 19 AND id GLOB 'it_*' AND substr(id, 4) NOT GLOB '*[^0-9a-f]*'),
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    class TEXT NOT NULL CHECK (class IN ('evidence', 'legal', 'clinical', 'social')),
                    size INTEGER NOT NULL CHECK (size >= 0),
                    sha256 TEXT NOT NULL CHECK (\(hexCheck("sha256", length: 64))),
                    object TEXT NOT NULL CHECK (\(hexCheck("object", length: 64))),
                    header BLOB NOT NULL CHECK (\(ageFileCheck("header"))),
                    metadata BLOB NOT NULL CHECK (\(ageFileCheck("metadata"))),
                    replaces TEXT REFERENCES items(id) CHECK (replaces IS NULL OR replaces <> id),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    created_by INTEGER NOT NULL REFERENCES members(id)
                );
                CREATE INDEX items_by_case ON items(case_id, created_at);
                CREATE INDEX items_by_object ON items(object);

                CREATE TABLE item_readers (
                    item TEXT NOT NULL REFERENCES items(id),
                    role TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    PRIMARY KEY (item, role),
                    FOREIGN KEY (role, generation) REFERENCES role_generations(role, generation)
                ) WITHOUT ROWID;

                CREATE TABLE journal (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL CHECK (at \(timeCheck)),
                    actor TEXT NOT NULL REFERENCES members(name),
                    action TEXT NOT NULL CHECK (action GLOB '[a-z]*.[a-z]*' AND action NOT GLOB '*[^a-z.-]*'),
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );

                -- Originals are immutable: only the envelopes (header, metadata) may change, when rotation rewraps them.
                CREATE TRIGGER items_immutable BEFORE UPDATE OF
                    id, case_id, class, size, sha256, object, replaces, created_at, created_by ON items
                BEGIN SELECT RAISE(ABORT, 'items are immutable; add a new item that replaces it'); END;
                CREATE TRIGGER items_never_deleted BEFORE DELETE ON items
                BEGIN SELECT RAISE(ABORT, 'items are never deleted'); END;
                -- The journal only grows.
                CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
                CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
                """)
    }

    /// Records which stanza of an item's header is wrapped to which reader role: `item_readers.stanza` is
    /// the stanza's 0-based position in `items.header`. Until now that order (the order of the roles given
    /// at `add`) was written only in the journal's `item.add` detail (`readers a,b`), in the same
    /// transaction as the rows, so existing rows are filled in from there.
    private static func addStanzaOrder(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE item_readers ADD COLUMN stanza INTEGER CHECK (stanza IS NULL OR stanza >= 0);
                CREATE UNIQUE INDEX item_readers_by_stanza ON item_readers(item, stanza);
                """)
        let added = try Row.fetchAll(db, sql: "SELECT subject, detail FROM journal WHERE action = 'item.add'")
        for row in added {
            let detail: String = row["detail"]
            guard
                let readers = detail.split(separator: ";").lazy.map({ $0.trimmingPrefix(" ") })
                    .first(where: { $0.hasPrefix("readers ") })
            else { continue }
            for (position, role) in readers.dropFirst("readers ".count).split(separator: ",").enumerated() {
                try db.execute(
                    sql: "UPDATE item_readers SET stanza = ? WHERE item = ? AND role = ?",
                    arguments: [position, row["subject"] as String, String(role)])
            }
        }
        // New rows must say where their stanza is.
        try db.execute(
            sql: """
                CREATE TRIGGER item_readers_stanza_required BEFORE INSERT ON item_readers WHEN NEW.stanza IS NULL
                BEGIN SELECT RAISE(ABORT, 'item_readers.stanza is required'); END;
                """)
    }

    /// The signed log (Docs/FORMAT.md, "The signed log"): each entry a C2SP signed note, stored with its
    /// RFC 9162 leaf hash, and the checkpoint its appender signed. Append-only; the verifier, not these
    /// triggers, is what protects them.
    private static func addSignedLog(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE log_entries (
                    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
                    note BLOB NOT NULL,
                    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
                );
                CREATE TABLE log_checkpoints (
                    size INTEGER PRIMARY KEY CHECK (size >= 1),
                    note BLOB NOT NULL
                );
                CREATE TABLE log_cosignatures (
                    size INTEGER NOT NULL REFERENCES log_checkpoints(size),
                    cosigner TEXT NOT NULL,
                    line TEXT NOT NULL,
                    PRIMARY KEY (size, cosigner)
                ) WITHOUT ROWID;
                CREATE TRIGGER log_entries_append_only_update BEFORE UPDATE ON log_entries
                BEGIN SELECT RAISE(ABORT, 'the signed log is append-only'); END;
                CREATE TRIGGER log_entries_append_only_delete BEFORE DELETE ON log_entries
                BEGIN SELECT RAISE(ABORT, 'the signed log is append-only'); END;
                """)
    }

    /// The encrypted remarks of custody events (reasons, notes, purposes: free text that may identify a
    /// survivor), each an age file sealed to the item's readers and named by its SHA-256, which the signed
    /// event records in its `private` field. Append-only.
    private static func addCustodyRemarks(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE custody_remarks (
                    hash TEXT PRIMARY KEY NOT NULL CHECK (\(hexCheck("hash", length: 64))),
                    blob BLOB NOT NULL CHECK (\(ageFileCheck("blob")))
                ) WITHOUT ROWID;
                CREATE TRIGGER custody_remarks_append_only_update BEFORE UPDATE ON custody_remarks
                BEGIN SELECT RAISE(ABORT, 'custody remarks are append-only'); END;
                CREATE TRIGGER custody_remarks_append_only_delete BEFORE DELETE ON custody_remarks
                BEGIN SELECT RAISE(ABORT, 'custody remarks are append-only'); END;
                """)
    }

    /// The organisation recovery key (public halves only; its private key exists only as shares on paper)
    /// and the envelopes that seal role generation keys to it. The signed `recovery.key` entry is what a
    /// client trusts; these rows are what it compares with that entry.
    private static func addRecoveryKey(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE recovery_keys (
                    key_id TEXT PRIMARY KEY NOT NULL CHECK (\(hexCheck("key_id", length: 16))),
                    recipient TEXT NOT NULL UNIQUE CHECK (\(recipientCheck)),
                    signing_key TEXT NOT NULL UNIQUE CHECK (\(hexCheck("signing_key", length: 64))),
                    threshold INTEGER NOT NULL CHECK (threshold >= 2),
                    shares INTEGER NOT NULL CHECK (shares >= threshold AND shares <= 255),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    retired_at TEXT CHECK (retired_at IS NULL OR retired_at \(timeCheck))
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX recovery_keys_one_current ON recovery_keys (ifnull(retired_at, '')) WHERE retired_at IS NULL;
                CREATE TABLE recovery_envelopes (
                    key_id TEXT NOT NULL REFERENCES recovery_keys(key_id),
                    role TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    envelope BLOB NOT NULL CHECK (\(ageFileCheck("envelope"))),
                    created_at TEXT NOT NULL CHECK (created_at \(timeCheck)),
                    PRIMARY KEY (key_id, role, generation),
                    FOREIGN KEY (role, generation) REFERENCES role_generations(role, generation)
                ) WITHOUT ROWID;
                """)
    }

    /// `show` asks which items replace the one shown; without an index that scanned every item (65 ms at
    /// 100,000 items). Partial: few items replace another.
    private static func addReplacedByIndex(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX items_by_replaces ON items(replaces) WHERE replaces IS NOT NULL")
    }

    /// Re-encryption (`custody.reencrypt`) moves an item to a new object. The old one is kept, listed here,
    /// until a backup holds the new one (`Vault+Superseded.swift`): until then the orphan sweep must not
    /// take it. An item's object may change only with such a row naming both objects.
    private static func addSupersededObjects(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE superseded_objects (
                    object TEXT PRIMARY KEY NOT NULL CHECK (\(hexCheck("object", length: 64))),
                    item TEXT NOT NULL REFERENCES items(id),
                    replaced_by TEXT NOT NULL CHECK (\(hexCheck("replaced_by", length: 64)) AND replaced_by != object),
                    entry INTEGER NOT NULL CHECK (entry >= 0),
                    superseded_at TEXT NOT NULL CHECK (superseded_at \(timeCheck))
                ) WITHOUT ROWID;
                DROP TRIGGER items_immutable;
                CREATE TRIGGER items_immutable BEFORE UPDATE OF
                    id, case_id, class, size, sha256, replaces, created_at, created_by ON items
                BEGIN SELECT RAISE(ABORT, 'items are immutable; add a new item that replaces it'); END;
                CREATE TRIGGER items_object_reencrypted BEFORE UPDATE OF object ON items
                WHEN NOT EXISTS (
                    SELECT 1 FROM superseded_objects
                    WHERE object = OLD.object AND item = OLD.id AND replaced_by = NEW.object)
                BEGIN SELECT RAISE(ABORT, 'an item changes object only by a recorded re-encryption'); END;
                """)
    }
}
