import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// age 1.1.1 reads passphrases from /dev/tty only, so a tiny python3 script drives it through a
/// pseudo-terminal and types the passphrase (from the environment) at each prompt.
let ptyDriver = """
    import os, pty, signal, sys
    signal.alarm(120)
    passphrase = os.environ["CV_PASSPHRASE"].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    seen, sent = b"", 0
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        seen += data
        while seen.count(b"passphrase") > sent:
            os.write(fd, passphrase + b"\\n")
            sent += 1
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(seen)
    sys.exit(os.waitstatus_to_exitcode(status))
    """

let haveAge = ProcessRunner.path(of: "age") != nil
let haveAgeAndPython = haveAge && ProcessRunner.path(of: "python3") != nil
let haveAgeAndSQLite = haveAgeAndPython && ProcessRunner.path(of: "sqlite3") != nil

@Suite("Interoperability with the age and sqlite3 command-line tools")
struct InteropTests {
    /// A legal item exported by the lawyer to a fresh age1 recipient (a prosecutor), as the tests below read it.
    struct RecipientExport {
        let team: Team
        let item: Item
        let original: [UInt8]
        let prosecutor: X25519Identity
        let exported: String

        init() throws {
            team = try Team()
            original = randomBytes(150_000)
            item = try team.addItem(original, itemClass: .legal)
            prosecutor = try X25519Identity.generate()
            exported = team.folder.file("for-prosecutor.age")
            try team.vault.export(
                item.id, to: .recipient(prosecutor.recipient.description), output: .file(path: exported),
                by: team.lawyer)
        }
    }

    /// A social item exported by the social worker to the passphrase "partner words"; returns the file's path.
    static func passphraseExport(in team: Team, of original: [UInt8]) throws -> String {
        let item = try team.addItem(original, itemClass: .social)
        let exported = team.folder.file("partner.age")
        try team.vault.export(
            item.id, to: .passphrase(secret("partner words"), workFactor: 10), output: .file(path: exported),
            by: team.socialWorker)
        return exported
    }

    @Test("export to an age1 recipient: one stanza, a fresh file key, mode 0600")
    func exportToRecipient() throws {
        let export = try RecipientExport()
        let team = export.team
        let item = export.item
        let prosecutor = export.prosecutor
        let exported = export.exported
        #expect(fileMode(exported) == 0o600)

        let sink = MemorySink()
        try Age.decrypt(from: FileDescriptorStream(readingFrom: exported), to: sink, identities: [prosecutor])
        #expect(sink.bytes == export.original)
        // The exported file has exactly one stanza: no role's key is in it.
        let (header, exportedPayload) = try Header.parse(try readFile(exported))
        #expect(header.stanzas.count == 1)
        // It is re-encrypted under a fresh file key: its payload is not the stored object, so the export's
        // key opens nothing in the vault.
        let object = try team.vault.items().first { $0.id == item.id }!.object
        let stored = try readFile(team.vaultPath + "/objects/\(object.prefix(2))/\(object)")
        #expect(exportedPayload != stored)
        #expect(throws: AgeError.self) {
            try PayloadDecryptor(
                fileKey: FileKey.unwrap(header, identities: [prosecutor]), source: MemorySource(stored)
            ).decrypt(to: MemorySink())
        }
    }

    // The age CLI's side of the two exports is a test of its own, so that without age it shows as a named
    // skip; it used to sit in an `if` inside the test above and pass silently when age was missing.
    @Test(
        "export to an age1 recipient: `age -d -i` opens it",
        .enabled(if: haveAge, "SKIPPED: age not installed; .ci/setup installs it"))
    func ageOpensRecipientExport() throws {
        let export = try RecipientExport()
        let folder = export.team.folder
        let identityFile = try folder.write(
            "prosecutor.txt", export.prosecutor.encoded().unsafeExportedBytes() + [0x0A])
        let result = try ProcessRunner.run([
            "age", "-d", "-i", identityFile, "-o", folder.file("plain"), export.exported,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(try readFile(folder.file("plain")) == export.original)
    }

    @Test("export to a passphrase: an scrypt recipient opens it")
    func exportToPassphrase() throws {
        let team = try Team()
        let original = Array("a report for a partner organisation".utf8)
        let exported = try Self.passphraseExport(in: team, of: original)
        let sink = MemorySink()
        try Age.decrypt(
            from: FileDescriptorStream(readingFrom: exported), to: sink,
            identities: [ScryptIdentity(passphrase: secret("partner words"))])
        #expect(sink.bytes == original)
    }

    @Test(
        "export to a passphrase: age's scrypt recipient opens it",
        .enabled(
            if: haveAgeAndPython, "SKIPPED: needs age and python3 (it types the passphrase); .ci/setup installs them"))
    func ageOpensPassphraseExport() throws {
        let team = try Team()
        let original = Array("a report for a partner organisation".utf8)
        let exported = try Self.passphraseExport(in: team, of: original)
        let driver = try team.folder.write("pty_age.py", Array(ptyDriver.utf8))
        let result = try ProcessRunner.run([
            "env", "CV_PASSPHRASE=partner words", "python3", driver, "age", "-d", "-o",
            team.folder.file("plain"), exported,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(try readFile(team.folder.file("plain")) == original)
    }

    @Test("export is refused to non-readers, and a damaged object is never exported")
    func exportRefusals() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(1000), itemClass: .clinical)
        let out = team.folder.file("x.age")
        #expect(throws: VaultError.self) {
            try team.vault.export(
                item.id, to: .recipient(team.lawyer.recipient), output: .file(path: out), by: team.lawyer)
        }
        #expect(!FileSystem.exists(out))
        #expect(throws: VaultError.self) {
            try team.vault.export(
                item.id, to: .recipient("age1notarecipient"), output: .file(path: out), by: team.psychologist)
        }
        let objectPath = team.vault.objects.path(of: item.object)
        var bytes = try readFile(objectPath)
        bytes[bytes.count - 1] ^= 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: objectPath))
        let error = try #require(throws: VaultError.self) {
            try team.vault.export(
                item.id, to: .recipient(team.lawyer.recipient), output: .file(path: out), by: team.psychologist)
        }
        guard case .integrityFailure(.item(item.id), _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(!FileSystem.exists(out))
    }

    @Test(
        "an item is recovered with sqlite3, age and a passphrase alone, as FORMAT.md describes",
        .enabled(if: haveAgeAndSQLite, "SKIPPED: needs age, sqlite3 and python3 on PATH; .ci/setup installs them"))
    func recoveryWithoutCaseVault() throws {
        let team = try Team()
        let original = randomBytes(200_000)
        try team.vault.createCase(id: "C-1", title: "Recovered title", by: team.lawyer)
        // A rotation without a rewrap: the item goes to lawyer generation 2, the case title stays at 1, so the
        // case step must take its envelope through `case_readers`, not the item's readers.
        try team.vault.rotate(role: "lawyer", by: team.admin)
        let input = try team.folder.write("statement-recovery.pdf", original)
        let item = try team.vault.add(
            caseID: "C-1", files: [input], options: AddOptions(itemClass: .legal, note: "n"),
            by: team.lawyer)[0]
        let work = team.folder.file("recovery")
        try FileSystem.makeDirectory(work)
        try team.folder.write("recovery/pty_age.py", Array(ptyDriver.utf8))
        try team.folder.write("recovery/recover.sh", Array(recoveryScript.utf8))
        // Only the vault folder, the member's name and passphrase, and the item id go in.
        let result = try ProcessRunner.run(
            ["env", "CV_PASSPHRASE=luis passphrase", "bash", "recover.sh", team.vaultPath, "luis", item.id],
            workingDirectory: work)
        #expect(result.status == 0, "\(result.output)")
        #expect(try readFile("\(work)/recovered") == original)
        let metadata = String(decoding: try readFile("\(work)/metadata.json"), as: UTF8.self)
        #expect(metadata.contains("statement-recovery.pdf"))
        let title = String(decoding: try readFile("\(work)/case.json"), as: UTF8.self)
        #expect(title.contains("Recovered title"))
    }
}

/// The recovery procedure of Docs/FORMAT.md ("Recovering an item without CaseVault"), step by step.
let recoveryScript = """
    set -euo pipefail
    VAULT="$1"; MEMBER="$2"; ITEM="$3"
    DB="$VAULT/vault.sqlite"
    # 1. Unlock the member's key file (asks for the passphrase on the terminal).
    python3 pty_age.py age -d -o member.key "$VAULT/keys/$MEMBER.age" > /dev/null
    # 2. Extract the member's envelope of a role generation that can read the item, and open it.
    sqlite3 "$DB" "SELECT writefile('envelope.age', e.envelope)
                   FROM item_readers r
                   JOIN role_key_envelopes e ON e.role = r.role AND e.generation = r.generation
                   JOIN members m ON m.id = e.member
                   WHERE r.item = '$ITEM' AND m.name = '$MEMBER' LIMIT 1;" > /dev/null
    test -s envelope.age
    age -d -i member.key -o role.key envelope.age
    #    (The protected key file also works directly as an identity: age asks for its passphrase.)
    python3 pty_age.py age -d -i "$VAULT/keys/$MEMBER.age" -o role-direct.key envelope.age > /dev/null
    cmp role.key role-direct.key
    # 3. The item's header plus its object is a standard age file.
    sqlite3 "$DB" "SELECT writefile('header.age', header) FROM items WHERE id = '$ITEM';" > /dev/null
    OBJECT=$(sqlite3 "$DB" "SELECT object FROM items WHERE id = '$ITEM';")
    cat header.age "$VAULT/objects/${OBJECT:0:2}/$OBJECT" > item.age
    age -d -i role.key item.age > recovered
    # 4. Check the plaintext against the recorded SHA-256.
    test "$(sha256sum recovered | cut -d' ' -f1)" = "$(sqlite3 "$DB" "SELECT sha256 FROM items WHERE id = '$ITEM';")"
    # 5. The metadata (file name, note, ...) is a small age file too.
    sqlite3 "$DB" "SELECT writefile('metadata.age', metadata) FROM items WHERE id = '$ITEM';" > /dev/null
    age -d -i role.key -o metadata.json metadata.age
    # 6. The case's title: through the member's envelope of a generation `case_readers` names.
    CASE=$(sqlite3 "$DB" "SELECT case_id FROM items WHERE id = '$ITEM';")
    sqlite3 "$DB" "SELECT writefile('case-envelope.age', e.envelope)
                   FROM case_readers c
                   JOIN role_key_envelopes e ON e.role = c.role AND e.generation = c.generation
                   JOIN members m ON m.id = e.member
                   WHERE c.case_id = '$CASE' AND m.name = '$MEMBER'
                   ORDER BY c.role, c.generation DESC LIMIT 1;" > /dev/null
    test -s case-envelope.age
    age -d -i member.key -o case-role.key case-envelope.age
    sqlite3 "$DB" "SELECT writefile('case.age', metadata) FROM cases WHERE id = '$CASE';" > /dev/null
    age -d -i case-role.key -o case.json case.age
    """
