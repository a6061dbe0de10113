import CaseVaultCore
import CaseVaultCrypto
import FuzzMain

/// Fuzzes the recovery share reader (text typed back from paper, from a file or standard input). An accepted
/// share must print back to a share that reads as the same fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = SecureBytes(copying: UnsafeBufferPointer(start: data, count: size))
    guard let share = try? RecoveryShare.parse(text, source: "fuzz") else { return 0 }
    guard let again = try? RecoveryShare.parse(try share.text(), source: "printed"), again.vaultID == share.vaultID,
        again.keyID == share.keyID, again.index == share.index, again.threshold == share.threshold,
        again.count == share.count, again.value.constantTimeEquals(share.value)
    else { fatalError("an accepted share does not print back to itself") }
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzRecoveryShare_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
