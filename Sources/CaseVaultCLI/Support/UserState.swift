import CaseVaultIO

/// The per-user state folder, outside any vault: `$XDG_STATE_HOME/casevault`, else
/// `~/.local/state/casevault` (0700). It holds what one user's client must remember across commands: the
/// records of temporary files in progress (`leftovers/`), so that a killed command's are removed by the next.
enum UserState {
    static var folder: String? {
        if let state = Environment.value("XDG_STATE_HOME"), state.hasPrefix("/") { return state + "/casevault" }
        guard let home = Environment.value("HOME"), home.hasPrefix("/") else { return nil }
        return home + "/.local/state/casevault"
    }

    /// Starts the leftover-file records and removes what killed commands left; best effort, since a
    /// command must still run where the state folder cannot be written (a read-only home).
    static func sweepLeftovers() {
        guard let folder else { return }
        do { try LeftoverFiles.configure(folder: folder + "/leftovers") } catch { return }
        LeftoverFiles.sweep()
    }
}
