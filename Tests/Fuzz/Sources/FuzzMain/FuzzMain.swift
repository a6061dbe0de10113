import CLibFuzzer

/// The body of each fuzzer's `<Target>_main` (see CLibFuzzer): libFuzzer parses the flags and calls `test`
/// with each input. libFuzzer passes an empty input as a valid pointer, so a null one never reaches `test`.
public func runLibFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, test)
}
