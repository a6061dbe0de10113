import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault export ITEM… --bundle DIR`: the evidence bundle side of `export`.
extension ExportCommand {
    func validateBundle() throws {
        guard let bundle else {
            if !moreItems.isEmpty {
                throw CLIError.usage("Several items are exported together only with --bundle DIR.")
            }
            if plaintext { throw CLIError.usage("--plaintext goes with --bundle DIR.") }
            return
        }
        for id in moreItems { try InputCheck.itemID(id) }
        if output != nil { throw CLIError.usage("--bundle names the folder to write; leave out -o.") }
        if plaintext && (to != nil || passphrase || newPassphraseFile != nil) {
            throw CLIError.usage("--plaintext puts the plaintext in the bundle: leave out --to and --passphrase.")
        }
        if FileSystem.exists(bundle) && !FileSystem.isEmptyDirectory(bundle) {
            throw CLIError.cannotCreate("\(bundle) exists. Name a new folder (or an empty one) with --bundle.")
        }
    }

    func runBundle(_ folder: String) async throws {
        try await options.run {
            let vault = try options.openVault()
            let payload: BundlePayload
            if plaintext {
                payload = .plaintext
            } else if let to {
                payload = .encrypted(.recipient(to))
            } else {
                let secret = try PassphraseInput.readNew(
                    prompt: "Passphrase for the exported files: ", file: newPassphraseFile)
                payload = .encrypted(.passphrase(secret, workFactor: try KeyWorkFactor.resolve(options.keyWorkFactor)))
            }
            let records = try vault.exportBundle(
                [item] + moreItems, payload: payload, to: folder, purpose: purpose.map { CustodyRemarks(text: $0) },
                by: try options.unlock(vault, purpose: "export an evidence bundle"))
            if options.json {
                return try Printer.json(BundleResult(folder: folder, items: records.map(\.item)))
            }
            Console.out("Wrote the evidence bundle \(Printer.safe(folder)) (\(records.count) item(s)), a BagIt bag.")
            Console.out("Check it without the vault: casevault verify-bundle \(Printer.safe(folder))")
            Console.out("or: cd \(Printer.safe(folder)) && sha256sum -c manifest-sha256.txt")
        }
    }
}

private struct BundleResult: Encodable {
    let folder: String
    let items: [String]
}
