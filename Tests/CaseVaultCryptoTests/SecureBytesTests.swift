import Testing

@testable import CaseVaultCrypto

@Suite("SecureBytes and ConstantTime")
struct SecureBytesTests {
    @Test("copying in and exporting out round-trips the bytes")
    func roundTrip() {
        let bytes: [UInt8] = [0, 1, 2, 0xfe, 0xff]
        let secretBytes = SecureBytes(copying: bytes)
        #expect(secretBytes.count == 5)
        #expect(secretBytes.unsafeExportedBytes() == bytes)
        #expect(SecureBytes(copying: bytes[1...3]).unsafeExportedBytes() == [1, 2, 0xfe])
    }

    @Test("zeroed storage is zero, and even empty storage has a base address", arguments: [0, 1, 32, 4097])
    func zeroed(_ count: Int) {
        let storage = SecureBytes(zeroedCount: count)
        #expect(storage.count == count)
        storage.withUnsafeBytes { buffer in
            #expect(buffer.count == count)
            #expect(buffer.baseAddress != nil)
            #expect(buffer.allSatisfy { $0 == 0 })
        }
    }

    @Test("writes through withUnsafeMutableBytes are visible, and copies share storage")
    func sharedStorage() {
        let a = SecureBytes(zeroedCount: 4)
        let alias = a
        a.withUnsafeMutableBytes { $0[2] = 7 }
        #expect(alias.unsafeExportedBytes() == [0, 0, 7, 0])
    }

    @Test("slice copies out the range into independent storage")
    func slice() {
        let whole = SecureBytes(copying: Array(0...9) as [UInt8])
        let part = whole.slice(3..<7)
        #expect(part.unsafeExportedBytes() == [3, 4, 5, 6])
        whole.withUnsafeMutableBytes { $0[4] = 0xff }
        #expect(part.unsafeExportedBytes() == [3, 4, 5, 6])
        #expect(whole.slice(5..<5).count == 0)
    }

    @Test("constantTimeEquals compares contents and length")
    func constantTimeEquals() {
        let a = SecureBytes(copying: [1, 2, 3, 4] as [UInt8])
        #expect(a.constantTimeEquals(SecureBytes(copying: [1, 2, 3, 4] as [UInt8])))
        #expect(a.constantTimeEquals(a))
        #expect(!a.constantTimeEquals(SecureBytes(copying: [1, 2, 3, 5] as [UInt8])))
        #expect(!a.constantTimeEquals(SecureBytes(copying: [0, 2, 3, 4] as [UInt8])))
        #expect(!a.constantTimeEquals(SecureBytes(copying: [1, 2, 3] as [UInt8])))
        #expect(!a.constantTimeEquals(SecureBytes(copying: [1, 2, 3, 4, 0] as [UInt8])))
        #expect(SecureBytes(zeroedCount: 0).constantTimeEquals(SecureBytes(zeroedCount: 0)))
        #expect(!SecureBytes(zeroedCount: 0).constantTimeEquals(SecureBytes(zeroedCount: 1)))
    }

    @Test("ConstantTime.equals is false on unequal lengths, even when one is a prefix of the other")
    func unequalLengths() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([] as [UInt8], [0] as [UInt8]))
        #expect(ConstantTime.equals([] as [UInt8], [] as [UInt8]))
        #expect(ConstantTime.equals([9, 8, 7] as [UInt8], [9, 8, 7] as [UInt8]))
    }

    @Test("ConstantTime.equals finds a difference in any position", arguments: [0, 1, 15, 16, 31])
    func differenceAnywhere(_ index: Int) {
        let a = [UInt8](repeating: 0x5a, count: 32)
        #expect(!ConstantTime.equals(a, flippingBit(a, at: index, bit: 0x80)))
    }

    @Test("ConstantTime.equals works across byte containers")
    func mixedContainers() {
        let array: [UInt8] = [1, 2, 3, 4, 5]
        #expect(ConstantTime.equals(array[1...3], [2, 3, 4] as [UInt8]))
        #expect(ConstantTime.equals(SecureBytes(copying: array), array))
        array.withUnsafeBytes { raw in
            #expect(ConstantTime.equals(raw, array))
            #expect(ConstantTime.equals(UnsafeRawBufferPointer(rebasing: raw[0..<2]), [1, 2] as [UInt8]))
        }
    }

    @Test("wipe zeroes an array and a raw buffer")
    func wipe() {
        var bytes: [UInt8] = [1, 2, 3, 4]
        ConstantTime.wipe(&bytes)
        #expect(bytes == [0, 0, 0, 0])
        var empty: [UInt8] = []
        ConstantTime.wipe(&empty)
        #expect(empty.isEmpty)
        let storage = SecureBytes(copying: [9, 9, 9] as [UInt8])
        storage.withUnsafeMutableBytes { ConstantTime.wipe($0) }
        #expect(storage.unsafeExportedBytes() == [0, 0, 0])
    }

    @Test("random(count:) gives the requested length and a different value each time")
    func random() throws {
        let a = try SecureBytes.random(count: 32)
        let b = try SecureBytes.random(count: 32)
        #expect(a.count == 32)
        #expect(!a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(SecureBytes(zeroedCount: 32)))
        #expect(try SecureBytes.random(count: 0).count == 0)
    }
}

@Suite("SystemRandom")
struct SystemRandomTests {
    @Test("bytes(count:) gives the requested length", arguments: [0, 1, 12, 16, 1000])
    func length(_ count: Int) throws {
        #expect(try SystemRandom.bytes(count: count).count == count)
    }

    @Test("two draws differ")
    func distinct() throws {
        #expect(try SystemRandom.bytes(count: 16) != SystemRandom.bytes(count: 16))
    }

    /// A stuck or badly broken generator fails this; a working one misses a byte value with probability
    /// below 10⁻¹¹ (256·(255/256)^16384).
    @Test("16 KiB of output takes every byte value")
    func coversEveryByteValue() throws {
        var seen = [Bool](repeating: false, count: 256)
        for byte in try SystemRandom.bytes(count: 16384) {
            seen[Int(byte)] = true
        }
        #expect(seen.allSatisfy { $0 })
    }

    @Test("fill overwrites the whole buffer, including its last byte")
    func fill() throws {
        // 64 bytes all 0x00 then filled: the chance that the last 8 bytes all stay 0 is 2⁻⁶⁴.
        var buffer = [UInt8](repeating: 0, count: 64)
        try buffer.withUnsafeMutableBytes { try SystemRandom.fill($0) }
        #expect(buffer.suffix(8).contains { $0 != 0 })
        #expect(buffer.prefix(8).contains { $0 != 0 })
    }
}
