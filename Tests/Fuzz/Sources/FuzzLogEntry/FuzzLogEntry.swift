import CaseVaultCore
import FuzzMain

/// Fuzzes the log entry parser an auditor's replay runs on every entry. What it accepts is canonical by
/// construction (the entry's body is the bytes it read), so an accepted entry must give back the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let entry = try? LogEntry.parse(bytes: input) else { return 0 }
    precondition(Array(entry.body.utf8) == Array(input), "a parsed entry does not give back its bytes")
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzLogEntry_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
