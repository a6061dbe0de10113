import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultAge

/// The payload is sealed and opened `Payload.batchChunks` chunks at a time, in parallel. These tests pin
/// the edges of a batch: the chunk layout and last-chunk flag at every size around a batch boundary, the
/// exact verified prefix released when chunk `k` of a batch is damaged, and truncation at a boundary.
@Suite("payload batch boundaries")
struct BatchBoundaryTests {
    static let identity = try! X25519Identity.generate()
    static let chunk = Payload.chunkSize
    static let sealedChunk = Payload.sealedChunkSize
    static let batch = Payload.batchChunks

    static let sizes: [Int] = {
        let n = batch * chunk
        return [0, 1, chunk - 1, chunk, chunk + 1, n - 1, n, n + 1, 2 * n - 1, 2 * n, 2 * n + 1]
    }()

    static func plaintext(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 16) }
    }

    static func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] {
        let sink = MemorySink()
        try Age.encrypt(from: MemorySource(plaintext), to: sink, recipients: [identity.recipient])
        return sink.bytes
    }

    static func payloadStart(_ file: [UInt8]) -> Int {
        let marker = Array("\n--- ".utf8)
        let start = (0...(file.count - marker.count)).first { Array(file[$0..<$0 + marker.count]) == marker }!
        return file[(start + 1)...].firstIndex(of: 0x0A)! + 1 + Payload.nonceSize
    }

    /// Decrypts chunk by chunk, returning the chunks released and the error that ended it (nil at the end).
    static func chunks(of file: [UInt8]) throws -> ([[UInt8]], AgeError?) {
        let reader = try AgeReader(source: MemorySource(file), identities: [identity], armored: false)
        var released: [[UInt8]] = []
        do {
            while let chunk = try reader.payload.nextChunk() { released.append(Array(chunk)) }
            return (released, nil)
        } catch let error as AgeError {
            return (released, error)
        }
    }

    @Test("round trip: layout, chunks and bytes are right at every size near a batch edge", arguments: sizes)
    func roundTrip(size: Int) throws {
        let plaintext = Self.plaintext(size)
        let file = try Self.encrypt(plaintext)
        let chunkCount = max(1, (size + Self.chunk - 1) / Self.chunk)
        #expect(file.count - Self.payloadStart(file) == size + chunkCount * ChaChaPoly.tagByteCount)

        let (released, error) = try Self.chunks(of: file)
        #expect(error == nil)
        #expect(released.count == chunkCount)
        #expect(released.dropLast().allSatisfy { $0.count == Self.chunk })
        #expect(sameBytes(Array(released.joined()), plaintext))

        let sink = MemorySink()
        try Age.decrypt(from: MemorySource(file), to: sink, identities: [Self.identity])
        #expect(sameBytes(sink.bytes, plaintext))

        // `read(into:)` with a buffer that straddles chunk and batch edges.
        let reader = try AgeReader(source: MemorySource(file), identities: [Self.identity])
        var viaRead: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 40_000)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try reader.payload.read(into: $0) }
            if n == 0 { break }
            viaRead += buffer[0..<n]
        }
        #expect(sameBytes(viaRead, plaintext))
    }

    @Test("writes of any shape seal the same chunks", arguments: [1, 4097, 65536, 65537, 1 << 20, 3 << 20])
    func writeShapes(piece: Int) throws {
        let plaintext = Self.plaintext(2 * Self.batch * Self.chunk + 1)
        let sink = MemorySink()
        try Self.write(plaintext, to: AgeWriter(sink: sink, recipients: [Self.identity.recipient]), inPiecesOf: piece)
        let out = MemorySink()
        try Age.decrypt(from: MemorySource(sink.bytes), to: out, identities: [Self.identity])
        #expect(sameBytes(out.bytes, plaintext))
    }

    /// Writes `plaintext` to `writer` in writes of `piece` bytes (the last one shorter), then finishes it.
    static func write(_ plaintext: [UInt8], to writer: AgeWriter, inPiecesOf piece: Int) throws {
        var offset = 0
        while offset < plaintext.count {
            let end = min(plaintext.count, offset + piece)
            try plaintext[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
        }
        try writer.finish()
    }

    /// A source that hands out at most `limit` bytes a read, as a pipe does.
    final class TricklingSource: ByteSource {
        private let inner: MemorySource
        private let limit: Int
        init(_ bytes: [UInt8], limit: Int) {
            inner = MemorySource(bytes)
            self.limit = limit
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(limit, buffer.count)]))
        }
    }

    @Test("short reads from the source seal the same chunks", arguments: [1000, 4095, 4096, 65537])
    func shortReads(limit: Int) throws {
        for size in [Self.batch * Self.chunk, Self.batch * Self.chunk + 1, 2 * Self.batch * Self.chunk + 4097] {
            let plaintext = Self.plaintext(size)
            let sink = MemorySink()
            try Age.encrypt(
                from: TricklingSource(plaintext, limit: limit), to: sink, recipients: [Self.identity.recipient])
            let chunkCount = (size + Self.chunk - 1) / Self.chunk
            #expect(sink.bytes.count - Self.payloadStart(sink.bytes) == size + chunkCount * ChaChaPoly.tagByteCount)
            let out = MemorySink()
            try Age.decrypt(
                from: TricklingSource(sink.bytes, limit: limit), to: out, identities: [Self.identity])
            #expect(sameBytes(out.bytes, plaintext, "size \(size), reads of \(limit)"))
        }
    }

    /// A sink that fails once it has taken `limit` bytes.
    final class FailingSink: ByteSink {
        private let limit: Int
        private(set) var count = 0
        init(limit: Int) { self.limit = limit }
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard count + bytes.count <= limit else { throw IOError(.write, errno: ENOSPC) }
            count += bytes.count
        }
    }

    @Test("a sink error mid-payload surfaces, and the encryptor can be dropped with sealing under way")
    func sinkFailure() throws {
        let plaintext = Self.plaintext(5 * Self.batch * Self.chunk)
        let sink = FailingSink(limit: 2 * Self.batch * Self.sealedChunk + 1000)
        #expect(throws: IOError(.write, errno: ENOSPC)) {
            try Age.encrypt(from: MemorySource(plaintext), to: sink, recipients: [Self.identity.recipient])
        }
        #expect(sink.count <= 2 * Self.batch * Self.sealedChunk + 1000)
        // Dropped with a batch handed to the workers and never waited for: deinit must wait.
        let writer = try AgeWriter(sink: MemorySink(), recipients: [Self.identity.recipient])
        try plaintext.withUnsafeBytes { try writer.write($0) }
    }

    static let damaged: [UInt8] = try! encrypt(plaintext(2 * batch * chunk + 1000))

    static var damagedChunks: [Int] { [0, 1, batch - 2, batch - 1, batch, batch + 1, 2 * batch - 1, 2 * batch] }

    @Test("a flipped byte in chunk k releases exactly the k chunks before it", arguments: damagedChunks)
    func flippedChunk(k: Int) throws {
        let base = Self.payloadStart(Self.damaged) + k * Self.sealedChunk
        let end = min(Self.damaged.count, base + Self.sealedChunk)
        let expected = Array(Self.plaintext(2 * Self.batch * Self.chunk + 1000).prefix(k * Self.chunk))
        // The first byte, one in the middle, and the last byte of the tag.
        for position in [base, (base + end) / 2, end - 1] {
            var file = Self.damaged
            file[position] ^= 0x04
            let (released, error) = try Self.chunks(of: file)
            guard case .payload = error else {
                Issue.record(
                    "chunk \(k), byte \(position - base): expected a payload failure, got \(String(describing: error))")
                continue
            }
            #expect(released.count == k, "chunk \(k), byte \(position - base)")
            #expect(sameBytes(Array(released.joined()), expected))
        }
    }

    @Test("truncation at or next to a batch edge is a payload failure that releases only verified chunks")
    func truncationAtBatchEdge() throws {
        let start = Self.payloadStart(Self.damaged)
        let edge = start + Self.batch * Self.sealedChunk
        let cases: [(cut: Int, released: Int)] = [
            (edge, Self.batch),  // every chunk verifies as a middle chunk; the final one is missing
            (edge - 1, Self.batch - 1),  // chunk N-1 is short, so it must be last, and it is not
            (edge + 1, Self.batch),  // a 1-byte chunk N cannot hold a tag
            (edge + ChaChaPoly.tagByteCount, Self.batch),  // an empty final chunk after others
            (start + 2 * Self.batch * Self.sealedChunk, 2 * Self.batch),
        ]
        for (cut, count) in cases {
            let (released, error) = try Self.chunks(of: Array(Self.damaged[..<cut]))
            guard case .payload = error else {
                Issue.record("cut at \(cut - start): expected a payload failure, got \(String(describing: error))")
                continue
            }
            #expect(released.count == count, "cut at \(cut - start)")
        }
    }

    @Test("data after a final chunk that ends a full batch fails after every chunk is released")
    func extendedFullBatch() throws {
        let plaintext = Self.plaintext(Self.batch * Self.chunk)
        for extra in [1, Self.sealedChunk, Self.batch * Self.sealedChunk] {
            let file = try Self.encrypt(plaintext) + [UInt8](repeating: 0x5A, count: extra)
            let (released, error) = try Self.chunks(of: file)
            guard case .payload = error else {
                Issue.record("+\(extra): expected a payload failure, got \(String(describing: error))")
                continue
            }
            #expect(sameBytes(Array(released.joined()), plaintext, "+\(extra)"))
        }
    }

    @Test("a final chunk inside a batch with more chunks after it fails after releasing it")
    func lastChunkMidBatch() throws {
        // The final chunk is full-size, so the copy of the chunks after it lines up with chunk edges: the
        // final chunk verifies as last with whole chunks still in the same batch.
        let plaintext = Self.plaintext(3 * Self.chunk)
        let file = try Self.encrypt(plaintext)
        let start = Self.payloadStart(file)
        let (released, error) = try Self.chunks(of: file + Array(file[start...]))
        guard case .payload = error else {
            Issue.record("expected a payload failure, got \(String(describing: error))")
            return
        }
        #expect(sameBytes(Array(released.joined()), plaintext))
    }

    @Test(
        "the age CLI agrees at batch edges, both directions",
        .enabled(if: ExternalTools.ageAvailable, "SKIPPED: age not installed"),
        arguments: [batch * chunk, batch * chunk + 1, 2 * batch * chunk - 1])
    func ageAgrees(size: Int) throws {
        let folder = try TemporaryFolder()
        var key = Self.identity.encoded().unsafeExportedBytes()
        key.append(0x0A)
        let keyPath = try folder.write("key", key)
        let plaintext = Self.plaintext(size)
        let ours = try folder.write("ours.age", try Self.encrypt(plaintext))
        let opened = try ProcessRunner.run(["age", "-d", "-i", keyPath, ours])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(sameBytes(opened.stdout, plaintext))

        let theirs = try ProcessRunner.run(["age", "-e", "-r", Self.identity.recipient.description], stdin: plaintext)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let sink = MemorySink()
        try Age.decrypt(from: MemorySource(theirs.stdout), to: sink, identities: [Self.identity])
        #expect(sameBytes(sink.bytes, plaintext))
    }
}
