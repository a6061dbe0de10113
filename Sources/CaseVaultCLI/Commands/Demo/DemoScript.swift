import CaseVaultAge
import CaseVaultCore
import CaseVaultCrypto
import Foundation

/// The steps of `casevault demo`, each one a call into the vault core followed by a plain account of
/// what happened. Runs without a terminal, with the team's public demo passphrases.
struct DemoScript {
    let folder: String
    let keysFolder: String

    var vaultPath: String { "\(folder)/casevault" }
    var samplesPath: String { "\(folder)/samples" }
    var retrievedPath: String { "\(folder)/retrieved" }

    func run() throws {
        say(
            """
            CaseVault demo: a fictitious legal-aid team in La Paz and El Alto, Bolivia.
            Everyone and everything here is invented; the passphrases are demo-only (Keys/demo/README.md).

            Demo folder: \(folder)
              casevault/  the vault            samples/  the original files
              retrieved/  what was decrypted   team:     \(keysFolder)
            """)
        try makeFolder(samplesPath)
        try makeFolder(retrievedPath)

        step(1, "ana creates the vault and becomes its first admin.")
        let ana = DemoTeam.admin
        let vault = try Vault.create(
            at: vaultPath, admin: ana.name, passphrase: secret(ana.passphrase),
            configuration: VaultConfiguration(keyWorkFactor: DemoTeam.keyWorkFactor))
        let anaSession = try vault.unlock(ana.name, passphrase: secret(ana.passphrase))
        detail("Vault at \(vault.path); ana's key file is \(vault.keyFilePath(for: ana.name)).")
        detail("ana holds only the admin role: she manages members but can read no case content.")

        step(
            2, "ana adds the team from their public cards; their private keys never leave their machines."
        )
        for person in DemoTeam.members {
            let card = try PublicCard.read(from: "\(keysFolder)/\(person.name).card.json")
            try vault.addMember(card: card, roles: [person.role], by: anaSession)
            detail(
                "\(person.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(person.role.padding(toLength: 14, withPad: " ", startingAt: 0)) (\(person.description))"
            )
        }

        step(3, "lucia, the lawyer, opens the case and adds the complaint and the evidence.")
        let lucia = try unlock(vault, "lucia")
        try vault.createCase(
            id: DemoTeam.caseID, title: DemoTeam.caseTitle, survivor: DemoTeam.survivor, by: lucia)
        detail(
            "Case \(DemoTeam.caseID): its id is in the clear; title and survivor pseudonym are encrypted."
        )
        let complaint = try add(vault, DemoTeam.complaint, by: lucia, collectedBy: "lucia")
        _ = try add(vault, DemoTeam.messages, by: lucia, collectedBy: "lucia")
        _ = try add(vault, DemoTeam.custody, by: lucia, collectedBy: "lucia", sha512: true)

        step(4, "sofia (psychologist) and carmen (social worker) add their own reports.")
        let sofia = try unlock(vault, "sofia")
        let note = try add(vault, DemoTeam.clinicalNote, by: sofia, collectedBy: "sofia")
        let carmen = try unlock(vault, "carmen")
        _ = try add(vault, DemoTeam.socialReport, by: carmen, collectedBy: "carmen")
        detail("Anyone may add for any role: adding needs only the roles' public keys.")
        say("")
        ItemTable.print(try vault.items(inCase: DemoTeam.caseID), names: nil)

        step(
            5, "lucia gets the complaint back; the vault checks it against the SHA-256 recorded at add.")
        let retrieved = "\(retrievedPath)/\(DemoTeam.complaint.file)"
        try vault.get(complaint.id, to: .file(path: retrieved), by: lucia)
        let original = try sha256(ofFile: "\(samplesPath)/\(DemoTeam.complaint.file)")
        let back = try sha256(ofFile: retrieved)
        guard original == back, back == complaint.sha256 else {
            throw CLIError(
                message:
                    "The retrieved complaint differs from the original. This is a bug; please report it.",
                code: ExitCodes.dataError)
        }
        detail("original   sha256 \(original)")
        detail("retrieved  sha256 \(back)  identical")

        step(6, "sofia, the psychologist, tries to open the legal complaint, and is refused.")
        try refused { try vault.get(complaint.id, to: .file(path: "\(retrievedPath)/sofia-tried.txt"), by: sofia) }
        detail(
            "This is cryptography, not a permission flag: the complaint's file key is wrapped only to the"
        )
        detail(
            "lawyer and mentor role keys, and sofia's own key opens only the psychologist role key. With a"
        )
        detail(
            "copy of the whole vault folder and her passphrase she still has no key that opens the item.")
        detail("The same holds the other way: lucia cannot read sofia's clinical note.")
        try refused { try vault.get(note.id, to: .file(path: "\(retrievedPath)/lucia-tried.txt"), by: lucia) }

        step(
            7,
            "diego, the auditor, reviews the case: he sees what evidence exists and its fingerprints, not what it says."
        )
        let diego = try unlock(vault, "diego")
        let shownCase = try vault.showCase(DemoTeam.caseID, as: diego)
        detail(
            "case \(shownCase.id): \(shownCase.itemCount) items; title: \(CaseText.title(shownCase)); survivor: \(CaseText.survivor(shownCase))"
        )
        for item in try vault.items(inCase: DemoTeam.caseID) {
            let details = try vault.showItem(item.id, as: diego)
            let name = details.metadata.map { Printer.safe($0.filename) } ?? "(file name encrypted)"
            detail(
                "\(item.id)  \(item.itemClass.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(name)  readable by \(Printer.roles(item.readers))"
            )
        }

        step(
            8,
            "Every step is an entry of the vault's signed log, signed by whoever made it (titles and file names never are)."
        )
        for entry in try vault.auditEntries().suffix(8) {
            let subject = ["item", "case", "member", "role"].compactMap { entry.fields[$0] }.first ?? ""
            detail(
                "\(entry.index)  \(entry.time)  \(entry.author.padding(toLength: 6, withPad: " ", startingAt: 0)) \(entry.type.padding(toLength: 16, withPad: " ", startingAt: 0)) \(subject)"
            )
        }
        let report = try vault.verifyWholeLog()
        guard report.problems.isEmpty, report.checkpointMatches else {
            throw CLIError(
                message: "The demo vault's signed log does not verify. This is a bug; please report it.",
                code: ExitCodes.dataError)
        }
        detail(
            "diego checks the whole log, no passphrase needed: \(report.size) entries, each signed by a member allowed to make it."
        )
        detail("vault fingerprint \(vault.fingerprint); try `casevault audit verify` and `casevault audit checkpoint`.")

        say(
            """

            What happened: a vault was created; six people joined with their own keys; five documents were
            stored encrypted, each readable only by the roles its class entitles; the lawyer got a document
            back bit for bit; the psychologist and the lawyer were each refused the other's documents by
            cryptography; the auditor saw what evidence exists, with sizes and SHA-256, without reading any of it,
            and verified the signed log of every change.

            Try it yourself (demo passphrases are in \(keysFolder)/README.md):
              export CASEVAULT_DIR=\(vault.path)
              casevault list \(DemoTeam.caseID)
              casevault role list
              echo demo-lucia-2026 > /tmp/lucia.pass
              casevault list \(DemoTeam.caseID) --names --as lucia --identity \(keysFolder)/lucia.key --passphrase-file /tmp/lucia.pass
            """)
    }

    // MARK: Steps

    private func unlock(_ vault: Vault, _ name: String) throws -> MemberSession {
        try vault.unlock(
            name, passphrase: secret(DemoTeam.person(name).passphrase),
            keyFile: "\(keysFolder)/\(name).key")
    }

    private func add(
        _ vault: Vault, _ document: DemoTeam.Document, by session: MemberSession, collectedBy: String,
        sha512: Bool = false
    ) throws -> Item {
        let path = "\(samplesPath)/\(document.file)"
        try Data((document.text + "\n").utf8).write(
            to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        let itemClass = ItemClassArgument(rawValue: document.itemClass)?.itemClass ?? .evidence
        let options = AddOptions(
            itemClass: itemClass, note: document.note, collectedBy: collectedBy,
            collectedAt: "2026-03-01T10:30:00-04:00",
            source: document.source, extraDigests: sha512 ? [.sha512] : [])
        let item = try vault.add(caseID: DemoTeam.caseID, files: [path], options: options, by: session)[
            0]
        detail(
            "\(session.member) added \(document.file) as \(item.id) (\(item.itemClass.rawValue); readable by \(Printer.roles(item.readers)))"
        )
        return item
    }

    /// Runs something that must be refused and shows the refusal as the CLI would.
    private func refused(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            let (message, code) = ErrorReport.describe(error)
            detail("refused (exit code \(code)): \(message)")
            return
        }
        throw CLIError(
            message: "The demo expected a refusal here and got none. This is a bug; please report it.",
            code: ExitCodes.failure)
    }

    // MARK: Output and files

    private func say(_ text: String) { Console.out(text) }

    private func step(_ number: Int, _ text: String) { Console.out("\n\(number). \(text)") }

    private func detail(_ text: String) { Console.out("   " + text) }

    private func secret(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

    private func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw CLIError.cannotCreate("Cannot create \(path). Check that the demo folder is writable.")
        }
    }

    private func sha256(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.inputMissing("Cannot read \(path).")
        }
        return try Digest.hash(.sha256, Array(data)).map { String(format: "%02x", $0) }.joined()
    }
}
