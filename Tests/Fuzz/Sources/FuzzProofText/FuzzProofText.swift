import CaseVaultLog
import FuzzMain

/// Fuzzes the tlog-proof text parser (c2sp.org/tlog-proof@v1): header, extra, index, hashes and the signed
/// checkpoint inside. A proof text it accepts must serialize back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let proof = try? InclusionProofText(parsing: bytes) else { return 0 }
    precondition(proof.bytes == bytes, "a parsed proof text does not re-encode to its bytes")
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzProofText_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
