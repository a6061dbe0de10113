import ArgumentParser
import CaseVaultCore

/// `casevault custody transfer ITEM --to MEMBER --reason …`.
struct CustodyTransfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Make another member, or someone outside the team, the item's custodian.",
        discussion: """
            Only a holder of one of the item's reader roles, or its custodian, may transfer it, and not once \
            it is sealed. A member who receives it must hold one of its reader roles. Someone outside the \
            team (a prosecutor, the forensic institute) is named in the signed event by full name, position \
            and institution, for a handover only. The reason and authority are encrypted to the item's \
            readers; the purpose and the people are in clear.

            Example:
              casevault custody transfer it_3f9a0c2d4e5b6a71 --to mateo --purpose handover --reason "turno"
              casevault custody transfer it_3f9a0c2d4e5b6a71 --purpose prosecutor --to-name "Ana Quispe" \\
                --to-position "Fiscal de materia" --to-institution "Fiscalía Departamental de La Paz" \\
                --reason "requerimiento fiscal" --authority "REQ-2026-114"
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @Option(help: ArgumentHelp("The new custodian, a member.", valueName: "member"))
    var to: String?

    @Option(
        name: .customLong("to-name"),
        help: ArgumentHelp("Instead of --to: the full name of someone outside the team.", valueName: "text"))
    var toName: String?

    @Option(
        name: .customLong("to-position"), help: ArgumentHelp("With --to-name: their position.", valueName: "text"))
    var toPosition: String?

    @Option(
        name: .customLong("to-institution"),
        help: ArgumentHelp("With --to-name: their institution.", valueName: "text"))
    var toInstitution: String?

    @Option(
        help: ArgumentHelp(
            "What the transfer is for: \(TransferPurpose.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "purpose"))
    var purpose: String = TransferPurpose.handover.rawValue

    @OptionGroup var reason: CustodyReasonOptions

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.itemID(item)
            let outside = [toName, toPosition, toInstitution]
            switch (to, outside.compactMap { $0 }.count) {
            case (let member?, 0): try InputCheck.member(member, option: "--to")
            case (nil, 3):
                try InputCheck.profileText(toName!, option: "--to-name")
                try InputCheck.profileText(toPosition!, option: "--to-position")
                try InputCheck.profileText(toInstitution!, option: "--to-institution")
            default:
                throw CLIError.usage(
                    "Name the new custodian with --to MEMBER, or someone outside the team with all of --to-name, "
                        + "--to-position and --to-institution.")
            }
            guard TransferPurpose(rawValue: purpose) != nil else {
                throw CLIError.usage(
                    "--purpose must be one of \(TransferPurpose.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "transfer custody")
            let purpose = TransferPurpose(rawValue: purpose)!
            let entry: Int
            if let to {
                entry = try vault.transferCustody(item, to: to, purpose: purpose, remarks: reason.remarks, by: session)
            } else {
                let person = PersonProfile(fullName: toName!, position: toPosition!, institution: toInstitution!)
                entry = try vault.transferCustody(
                    item, toOutside: person, purpose: purpose, remarks: reason.remarks, by: session)
            }
            try CustodyRecorded(item: item, kind: "transfer to \(to ?? toName!)", entry: entry).print(
                json: options.json)
        }
    }
}
