import ArgumentParser
import CaseVaultAge
import CaseVaultCore
import CaseVaultCrypto
import CaseVaultIO

/// Turns any error into the message and exit code a user sees; `--verbose` adds detail. The wording of
/// every library error lives here (and in its extensions), so the libraries keep meaning, not sentences.
enum ErrorReport {
    static func describe(_ error: Error) -> (message: String, code: Int32) {
        switch error {
        case let e as CLIError:
            return (e.message, e.code)
        case let e as AgeError:
            switch e {
            case .noMatch(let s): return ("Cannot decrypt: \(s).", ExitCodes.notEntitled)
            case .header(let s), .hmac(let s), .payload(let s), .armor(let s):
                return ("The file is damaged or was tampered with (\(e.failureClass): \(s)).", ExitCodes.dataError)
            case .invalidKey(let s): return ("\(capitalized(s)).", ExitCodes.usage)
            }
        case let e as VaultError:
            return (message(for: e), exitCode(for: e))
        case let e as SignedLogError:
            return (message(for: e), ExitCodes.dataError)
        case let e as BackupError:
            return (message(for: e), exitCode(for: e))
        case let e as IOError:
            return (message(for: e), e.code == .exists ? ExitCodes.cannotCreate : ExitCodes.ioError)
        case let e as CryptoError:
            return ("A cryptographic operation failed: \(e.operation).", ExitCodes.failure)
        default:
            return ("\(error)", ExitCodes.failure)
        }
    }

    /// Errors of casevault's own layers (as opposed to argument-parser's help requests and parse errors).
    static func isOwn(_ error: Error) -> Bool {
        error is CLIError || error is AgeError || error is VaultError || error is IOError || error is CryptoError
            || error is SignedLogError || error is BackupError
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
