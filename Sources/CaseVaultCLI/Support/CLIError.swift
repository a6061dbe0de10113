/// An error the CLI itself raises about what was typed: one or two plain sentences and a documented exit
/// code. Errors from the vault keep their meaning until `ErrorReport` words them.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let code: Int32

    var description: String { message }

    static func usage(_ m: String) -> CLIError { CLIError(message: m, code: ExitCodes.usage) }
    static func inputMissing(_ m: String) -> CLIError {
        CLIError(message: m, code: ExitCodes.inputMissing)
    }
    static func cannotCreate(_ m: String) -> CLIError {
        CLIError(message: m, code: ExitCodes.cannotCreate)
    }
}
