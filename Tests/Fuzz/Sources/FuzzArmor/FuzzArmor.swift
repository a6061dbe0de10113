import CaseVaultAge
import CaseVaultIO
import FuzzMain

/// Fuzzes the armor decoder (`-----BEGIN AGE ENCRYPTED FILE-----`): reads the whole input through
/// `ArmoredReader` in small, odd-sized reads so that lines straddle the caller's buffer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let reader = ArmoredReader(source: MemorySource(Array(UnsafeBufferPointer(start: data, count: size))))
    var buffer = [UInt8](repeating: 0, count: 37)
    var total = 0
    while let n = try? buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), n > 0 {
        total += n
        precondition(total <= size, "the armor decoder produced more bytes than it read")
    }
    return 0
}

/// The symbol SwiftPM's debug link names as `main`.
@_cdecl("FuzzArmor_main")
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runLibFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}
