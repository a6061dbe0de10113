import ArgumentParser
import CaseVaultCore

/// `casevault member profile NAME --full-name … --position … --institution …`.
struct MemberSetProfile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "State a member's full name, position and institution in the signed log (admins only).",
        discussion: """
            Custody reports name who received, held and handed over each item by full name, position and \
            institution, as the signed log states them at each event's time: a later change does not \
            rewrite earlier events. Texts are UTF-8, 1 to 200 bytes each.

            Example:
              casevault member profile lucia --as ana --full-name "Lucía Mamani" \\
                --position "Abogada" --institution "Fundación Voces Libres"
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The member.", valueName: "name"))
    var name: String

    @Option(name: .customLong("full-name"), help: ArgumentHelp("Their full name.", valueName: "text"))
    var fullName: String

    @Option(help: ArgumentHelp("Their position (cargo).", valueName: "text"))
    var position: String

    @Option(help: ArgumentHelp("Their institution.", valueName: "text"))
    var institution: String

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.member(name)
            try InputCheck.profileText(fullName, option: "--full-name")
            try InputCheck.profileText(position, option: "--position")
            try InputCheck.profileText(institution, option: "--institution")
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "state a member's profile")
            let entry = try vault.setProfile(
                of: name, PersonProfile(fullName: fullName, position: position, institution: institution),
                by: session)
            if options.json { return try Printer.json(["member": name, "entry": String(entry)]) }
            Console.out("Recorded the profile of \(name) as entry \(entry) of the signed log.")
        }
    }
}
