import CaseVaultCore
import CaseVaultIO

extension ErrorReport {
    /// The record this computer keeps of what it verified of a vault is named as such: it is not the
    /// vault, and moving it aside costs a full verification and the memory of the history seen so far.
    private static func record(_ path: String) -> String {
        "This computer's record of what it verified of the vault (\(path))"
    }

    /// What removing the record costs, for every message that advises it.
    private static let movingAsideCosts =
        "the next command rebuilds it by verifying the vault's whole log, and checks for a vault rolled back "
        + "to an older state then start again from what the log shows"

    static func verifiedStateUnsafe(path: String, problem: VaultError.PrivateStateProblem) -> String {
        let fix: String
        switch problem {
        case .symbolicLink:
            fix =
                "it is a symbolic link, which could lead anywhere. Replace it with a folder or file of your own"
                + " (`mv \(path) \(path).link`); \(movingAsideCosts)"
        case .wrongKind:
            fix =
                "it is not the kind of file expected there. Move it aside (`mv \(path) \(path).unknown`); "
                + movingAsideCosts
        case .ownedByAnotherUser:
            fix =
                "it belongs to another user, who could change what your client trusts. Move it aside "
                + "(`mv \(path) \(path).foreign`); \(movingAsideCosts)"
        case .writableByOthers(let mode):
            fix =
                "other users can change it (mode \(String(mode, radix: 8))), and so what your client trusts. "
                + "If nobody else has changed it, close it: `chmod go-w \(path)`; if you cannot be sure, move it "
                + "aside (`mv \(path) \(path).open`); \(movingAsideCosts)"
        case .cannotInspect(let code):
            fix = "it cannot be inspected (\(Errno.text(code))). Check the folder's permissions"
        }
        return "\(record(path)) is not safe to use: \(fix). Nothing was done."
    }

    static func verifiedStateDamaged(path: String) -> String {
        "\(record(path)) is damaged and cannot be read. It is not part of the vault, which may well be intact. "
            + "Move it aside (`mv \(path) \(path).damaged`): \(movingAsideCosts). Nothing was done."
    }

    /// `audit verify`'s problem for a saved record that differs from the log replayed from its first entry.
    static func savedStateAltered(path: String, size: Int, difference: SavedStateDifference) -> String {
        let what: String
        switch difference {
        case .state: what = "the members, roles, keys or cases"
        case .item(let id): what = "the facts of item \(id)"
        case .treeNodes: what = "the hashes of the log's tree"
        case .subjects: what = "the index of the entries about each item and member"
        }
        return "\(record(path)) does not match the log replayed from its first entry (\(what), at \(size) "
            + "entries), although the vault's log is the one it verified: the record was altered or damaged on "
            + "this computer, and commands may have relied on it. Move it aside (`mv \(path) \(path).altered`): "
            + "\(movingAsideCosts). Then check the vault folder with any command (a folder record that differs "
            + "from the log is named), and find out who could change files in your account."
    }
}
