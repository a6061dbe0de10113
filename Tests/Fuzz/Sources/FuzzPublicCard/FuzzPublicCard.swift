import CaseVaultCore
import FuzzMain

/// Fuzzes the public card reader (`member card` output, JSON handed between machines): decoding and the
/// self-signature check, which decodes the hex key and signature and the age recipient.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let card = try? PublicCard.decode(bytes) else { return 0 }
    _ = try? card.validate()
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzPublicCard_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
