import CaseVaultLog
import FuzzMain

/// Fuzzes the C2SP signed note parser and what is parsed out of a note: the checkpoint body, each signature
/// line read as a cosignature, and the text read as a verifier key. Each parser accepts only one encoding, so
/// what it accepts must serialize back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The checkpoint and key parsers take a String, so only valid UTF-8 can reach them (decoding with
    // replacement would make the round trip below fail on the harness's change, not the parser's).
    if let text = String(validating: bytes, as: UTF8.self) {
        if let checkpoint = try? Checkpoint(parsing: text) {
            precondition(Array(checkpoint.text.utf8) == bytes, "a parsed checkpoint does not re-encode to its bytes")
        }
        _ = try? NoteVerifierKey(text)
    }
    guard let note = try? SignedNote(parsing: bytes) else { return 0 }
    precondition(note.bytes == bytes, "a parsed note does not re-encode to its bytes")
    _ = try? Checkpoint(parsing: note.text)
    for signature in note.signatures { _ = try? Cosignature(signature) }
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzSignedNote_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
