import ArgumentParser
import CaseVaultAge
import CaseVaultCore
import CaseVaultCrypto

/// An error for the person at the terminal: one or two plain sentences and a documented exit code.
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
    /// Not entitled: wrong passphrase, no matching key, or a role the member does not hold.
    public static let notEntitled: Int32 = 77
}

/// Turns any error into the one-line message and exit code a user sees; `--verbose` adds detail.
enum ErrorReport {
    static func describe(_ error: Error) -> (message: String, code: Int32) {
        switch error {
        case let e as CLIError:
            return (e.message, e.code)
        case let e as AgeError:
            switch e {
            case .noMatch(let s): return ("Cannot decrypt: \(s).", ExitCodes.notEntitled)
            case .header(let s), .hmac(let s), .payload(let s), .armor(let s):
                return (
                    "The file is damaged or was tampered with (\(e.failureClass): \(s)).", ExitCodes.dataError
                )
            case .io(let s): return ("\(capitalized(s)).", ExitCodes.ioError)
            case .invalidKey(let s): return ("\(capitalized(s)).", ExitCodes.usage)
            }
        case let e as VaultError:
            return (e.description, exitCode(for: e))
        case let e as CryptoError:
            return ("A cryptographic operation failed: \(e.operation).", ExitCodes.failure)
        default:
            return ("\(error)", ExitCodes.failure)
        }
    }

    /// Errors of casevault's own layers (as opposed to argument-parser's help requests and parse errors).
    static func isOwn(_ error: Error) -> Bool {
        error is CLIError || error is AgeError || error is VaultError || error is CryptoError
    }

    /// The error's type and case, e.g. `VaultError.notAReader`, for --verbose.
    static func kind(of error: Error) -> String {
        let mirror = Mirror(reflecting: error)
        let caseName = mirror.displayStyle == .enum ? mirror.children.first?.label : nil
        return "\(type(of: error))" + (caseName.map { ".\($0)" } ?? "")
    }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}

/// Runs a command body and turns failures into a message on stderr and a documented exit code, never a
/// stack trace. With `verbose`, a second line names the error's type and case (never its payload).
func reportingErrors<T>(verbose: Bool = false, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let (message, code) = ErrorReport.describe(error)
        Console.error("casevault: \(message)")
        if verbose { Console.error("casevault: detail: \(ErrorReport.kind(of: error)), exit code \(code)") }
        throw ExitCode(code)
    }
}
