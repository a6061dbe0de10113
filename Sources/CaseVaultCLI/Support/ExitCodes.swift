/// The exit codes `casevault` documents (Docs/CLI.md). They follow BSD sysexits where one fits.
public enum ExitCodes {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    /// Bad arguments or input that can never work (ArgumentParser's validation errors use the same).
    public static let usage: Int32 = 64
    /// The data is damaged or forged: a failed MAC, tag, digest or signature.
    public static let dataError: Int32 = 65
    /// A named file, case, item or member does not exist.
    public static let inputMissing: Int32 = 66
    /// The output cannot be created.
    public static let cannotCreate: Int32 = 73
    /// Reading or writing failed (disk full, I/O error).
    public static let ioError: Int32 = 74
    /// Another command changed what this one relied on while it ran (a role key rotated): run it again.
    public static let tryAgain: Int32 = 75
    /// Not entitled: wrong passphrase, no matching key, or a role the member does not hold.
    public static let notEntitled: Int32 = 77
}
