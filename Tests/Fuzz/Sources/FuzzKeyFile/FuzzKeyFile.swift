import CaseVaultAge
import CaseVaultCrypto
import FuzzMain

// MemberKeys is internal to the core: SwiftPM's debug builds enable testing, which this import relies on.
@testable import CaseVaultCore

/// Fuzzes the plaintext key file readers: the age identity file (`AGE-SECRET-KEY-1…` lines and comments),
/// its tagged comments, and the CaseVault member key file built on it (signing key in a tagged comment).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = SecureBytes(copying: UnsafeRawBufferPointer(start: data, count: size))
    _ = try? IdentityFile.parse(text)
    _ = IdentityFile.taggedComment(text, tag: MemberKeys.signingKeyTag)
    _ = try? MemberKeys.parse(text)
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzKeyFile_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
