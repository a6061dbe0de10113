import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Testing

@testable import CaseVaultAge

/// Every kind of damage to an age file must be detected, with the right class, and must never release
/// plaintext that did not verify.
@Suite("tampering is detected")
struct TamperTests {
    static let identity = try! X25519Identity.generate()
    // Three chunks: two full, one partial.
    static let plaintext: [UInt8] = (0..<(2 * 65536 + 1000)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    static let file: [UInt8] = {
        let sink = MemorySink()
        try! Age.encrypt(from: MemorySource(plaintext), to: sink, recipients: [identity.recipient])
        return sink.bytes
    }()
    static let headerLength: Int = {
        let marker = Array("\n--- ".utf8)
        let start = (0...(file.count - marker.count)).first { Array(file[$0..<$0 + marker.count]) == marker }!
        return file[(start + 1)...].firstIndex(of: 0x0A)! + 1
    }()

    /// Decrypts `bytes`, returning the error (nil on success) and what was released.
    static func attempt(_ bytes: [UInt8]) -> (AgeError?, [UInt8]) {
        let sink = MemorySink()
        do {
            try Age.decrypt(from: MemorySource(bytes), to: sink, identities: [identity], armored: false)
            return (nil, sink.bytes)
        } catch let error as AgeError {
            return (error, sink.bytes)
        } catch {
            Issue.record("unexpected error type: \(error)")
            return (nil, sink.bytes)
        }
    }

    @Test("the untouched file decrypts")
    func pristine() {
        let (error, out) = Self.attempt(Self.file)
        #expect(error == nil)
        #expect(sameBytes(out, Self.plaintext))
    }

    @Test("every header byte, flipped, is caught as a header, MAC or no-match failure")
    func everyHeaderByte() {
        for position in 0..<Self.headerLength {
            var damaged = Self.file
            damaged[position] ^= 0x01
            let (error, out) = Self.attempt(damaged)
            #expect(out.isEmpty, "byte \(position) released plaintext")
            guard let error else {
                Issue.record("flipping header byte \(position) went unnoticed")
                continue
            }
            switch error {
            case .header, .hmac, .noMatch: break
            default: Issue.record("header byte \(position): unexpected class \(error.failureClass)")
            }
        }
    }

    static let sealedChunk = 65536 + 16

    /// Positions in the payload: the nonce, the start, middle and tag of each chunk, and the last byte.
    static var payloadPositions: [Int] {
        let start = headerLength
        var positions = Array(start..<start + 16)
        for chunk in 0..<3 {
            let base = start + 16 + chunk * sealedChunk
            let length = min(sealedChunk, file.count - base)
            positions += [base, base + length / 2, base + length - 16, base + length - 1]
        }
        positions.append(file.count - 1)
        return positions
    }

    @Test("payload bytes, flipped, fail the payload and release only verified chunks", arguments: payloadPositions)
    func payloadByte(position: Int) {
        var damaged = Self.file
        damaged[position] ^= 0x80
        let (error, out) = Self.attempt(damaged)
        guard case .payload = error else {
            Issue.record("byte \(position): expected a payload failure, got \(String(describing: error))")
            return
        }
        let chunkOfDamage = max(0, (position - Self.headerLength - 16) / Self.sealedChunk)
        let nonceDamaged = position < Self.headerLength + 16
        #expect(sameBytes(out, Array(Self.plaintext.prefix(nonceDamaged ? 0 : chunkOfDamage * 65536))))
    }

    @Test("truncation anywhere is detected: in the header or nonce as a header failure, later as a payload failure")
    func truncations() {
        let start = Self.headerLength
        let cuts = [
            start + 16, start + 17, start + 16 + Self.sealedChunk,
            start + 16 + 2 * Self.sealedChunk, Self.file.count - 1, Self.file.count - 17,
        ]
        for cut in cuts {
            let (error, out) = Self.attempt(Array(Self.file[..<cut]))
            guard case .payload = error else {
                Issue.record("cut at \(cut): expected payload failure, got \(String(describing: error))")
                continue
            }
            #expect(Self.plaintext.starts(with: out))
            #expect(out.count < Self.plaintext.count)
        }
        for cut in [0, 10, start - 1, start, start + 8, start + 15] {
            let (error, _) = Self.attempt(Array(Self.file[..<cut]))
            guard case .header = error else {
                Issue.record("cut at \(cut): expected header failure, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test("appended bytes are a payload failure", arguments: [1, 16, 17, 65552, 70000])
    func extension_(count: Int) {
        let (error, out) = Self.attempt(Self.file + [UInt8](repeating: 0x41, count: count))
        guard case .payload = error else {
            Issue.record("+\(count): expected payload failure, got \(String(describing: error))")
            return
        }
        #expect(out.count <= 2 * 65536)
    }

    @Test("swapping two chunks is a payload failure")
    func reorder() {
        let base = Self.headerLength + 16
        var damaged = Self.file
        let first = Array(Self.file[base..<base + Self.sealedChunk])
        let second = Array(Self.file[base + Self.sealedChunk..<base + 2 * Self.sealedChunk])
        damaged.replaceSubrange(base..<base + Self.sealedChunk, with: second)
        damaged.replaceSubrange(base + Self.sealedChunk..<base + 2 * Self.sealedChunk, with: first)
        let (error, out) = Self.attempt(damaged)
        guard case .payload = error else {
            Issue.record("expected payload failure, got \(String(describing: error))")
            return
        }
        #expect(out.isEmpty)
    }

    @Test("a wrong identity is no match, and the error does not leak the key")
    func wrongIdentity() throws {
        let other = try X25519Identity.generate()
        let sink = MemorySink()
        let error = #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(Self.file), to: sink, identities: [other])
        }
        guard case .noMatch = error else {
            Issue.record("expected no match, got \(String(describing: error))")
            return
        }
        let secret = String(decoding: other.encoded().unsafeExportedBytes(), as: UTF8.self)
        #expect(!String(describing: error).contains(secret))
        #expect(sink.bytes.isEmpty)
    }
}
