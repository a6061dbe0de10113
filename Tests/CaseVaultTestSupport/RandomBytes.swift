/// `count` random bytes for test inputs. The system generator, not the vault's own `SystemRandom`, so a
/// fault in the code under test cannot make its inputs predictable.
public func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    // Eight bytes per draw: inputs of megabytes are common and tests run unoptimized.
    while bytes.count < count {
        var word = generator.next()
        for _ in 0..<min(8, count - bytes.count) {
            bytes.append(UInt8(truncatingIfNeeded: word))
            word >>= 8
        }
    }
    return bytes
}
