import CaseVaultAge
import CaseVaultCrypto
import FuzzMain

/// One identity for the whole run: X25519 stanzas are unwrapped with it, so the share (the ephemeral public
/// key) and the wrapped file key of every stanza the mutator makes are decoded and checked, not only parsed.
let identity = try! X25519Identity.generate()

/// Fuzzes the age header parser. The parser accepts only the canonical encoding, so a header it accepts must
/// re-encode to exactly the bytes it consumed; anything else is a finding, reported as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let (header, rest) = try? Header.parse(bytes) else { return 0 }
    precondition(header.encoded() + rest == bytes, "a parsed header does not re-encode to its bytes")
    _ = try? identity.unwrap(stanzas: header.stanzas)
    _ = try? FileKey.unwrap(header, identities: [identity])
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzAgeHeader_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
