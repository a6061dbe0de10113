import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Testing

@testable import CaseVaultAge

/// A payload whose size is known ahead (`expectedSize`) starts with a first batch of that size instead of a
/// whole one; a wrong guess, smaller or larger, must still give the same chunks, whatever way the bytes come.
@Suite("payload size hint")
struct PayloadSizeHintTests {
    static let identity = try! X25519Identity.generate()
    static let chunk = Payload.chunkSize
    static let batch = Payload.batchChunks * Payload.chunkSize

    /// (expected, actual) plaintext sizes: exact guesses, and guesses short of the actual size by a byte, a
    /// page, a chunk and a batch (the first batch must grow, mid-chunk or at a chunk's end), and too long.
    static let cases: [(expected: Int64, actual: Int)] = [
        (0, 0), (2048, 2048), (2048, 2047), (2048, 0), (0, 1), (2048, 2049), (2048, 70_000), (4096, 12_288),
        (Int64(chunk), chunk), (Int64(chunk) - 1, chunk + 1), (Int64(chunk), 2 * chunk + 7),
        (Int64(batch) - 1, batch + 1), (100, 2 * batch + 1), (Int64(batch) + 5, 3000),
    ]

    static func plaintext(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 16) }
    }

    static func decrypt(_ file: [UInt8]) throws -> [UInt8] {
        let out = MemorySink()
        try Age.decrypt(from: MemorySource(file), to: out, identities: [identity])
        return out.bytes
    }

    @Test("written in pieces, any guess of the size gives the payload back", arguments: cases)
    func pieces(expected: Int64, actual: Int) throws {
        let plaintext = Self.plaintext(actual)
        for piece in [1000, 4096, 65_537] {
            let sink = MemorySink()
            let writer = try AgeWriter(sink: sink, recipients: [Self.identity.recipient], expectedSize: expected)
            try BatchBoundaryTests.write(plaintext, to: writer, inPiecesOf: piece)
            let chunks = max(1, (actual + Self.chunk - 1) / Self.chunk)
            let header = try Header.parse(sink.bytes).header.encoded().count
            #expect(sink.bytes.count == header + Payload.nonceSize + actual + chunks * ChaChaPoly.tagByteCount)
            #expect(sameBytes(try Self.decrypt(sink.bytes), plaintext), "expected \(expected), pieces of \(piece)")
        }
    }

    @Test("read straight into the batch, any guess of the size gives the payload back", arguments: cases)
    func readInto(expected: Int64, actual: Int) throws {
        let plaintext = Self.plaintext(actual)
        let sink = MemorySink()
        let writer = try AgeWriter(sink: sink, recipients: [Self.identity.recipient], expectedSize: expected)
        try writer.write(from: BatchBoundaryTests.TricklingSource(plaintext, limit: 5000))
        try writer.finish()
        #expect(sameBytes(try Self.decrypt(sink.bytes), plaintext))
    }

    @Test("a small payload's first batch is a few pages, not a whole batch")
    func smallFirstBatch() throws {
        let whole = PayloadEncryptor.firstBatchBytes(expectedSize: nil)
        #expect(whole >= Self.batch)
        let small = try PayloadEncryptor(fileKey: FileKey.generate(), sink: MemorySink(), expectedSize: 2048)
        #expect(small.firstBatchBytes <= 3 * 4096)
        #expect(PayloadEncryptor.firstBatchBytes(expectedSize: Int64(Self.batch)) == whole)
        #expect(PayloadEncryptor.firstBatchBytes(expectedSize: -1) == whole)
    }
}
