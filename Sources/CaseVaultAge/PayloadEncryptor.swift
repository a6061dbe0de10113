import CaseVaultCrypto
import CaseVaultIO

/// Encrypts a payload as it is written: a `ByteSink` that emits the nonce and sealed chunks to `sink`.
///
/// Plaintext collects in a batch of `Payload.batchChunks` chunks. A full batch is sealed only when more
/// data arrives, because a chunk is known to be the last only when `finish()` comes. Sealing runs in the
/// background while the caller fills the next batch; when that one is full too, it is handed over, and the
/// caller helps finish the first and writes it to `sink` (always on the caller's thread, in order). Handing
/// over before waiting keeps the helper threads busy from one batch to the next instead of parking them.
/// So at most two batches are held back.
public final class PayloadEncryptor: ByteSink {
    /// Chunk `i` of a batch starts at `i * slotSize`: page-aligned, so that `write(from:)` reads into it
    /// at full speed, with room after it for the tag, so that it is sealed in place.
    private static let slotSize = Payload.chunkSize + 4096
    private static let batchBytes = Payload.batchChunks * Payload.chunkSize

    private let sink: ByteSink
    private let workers: ChunkWorkers
    /// Two batches, the second made only when the payload outgrows one: one is filled while the other is
    /// sealed and written.
    private var batches: [UnsafeMutableRawBufferPointer]
    private var touched: [Int]  // bytes of each batch that may have held plaintext, to wipe
    /// Bytes allocated for the first batch: a whole batch, or less for a payload expected to be small
    /// (grown to a whole batch if more comes). The second batch is always whole.
    var firstBatchBytes: Int { batches[0].count }
    private var probe: UnsafeMutableRawBufferPointer?  // see `write(from:)`
    private var filling = 0  // the batch being filled
    private var filled = 0  // its plaintext bytes so far
    private var sealing: (ticket: ChunkWorkers.Ticket, batch: Int)?  // the other batch, handed to the workers
    private var counter: UInt64 = 0  // of the first chunk not yet handed to the workers
    private var finished = false

    /// Starts a payload for `fileKey`; the random payload nonce is written to `sink` at once.
    /// `expectedSize`, the plaintext's size when known, sizes the first batch: a whole one is 2 MiB, and a
    /// batch add of 10,000 files of 2 KB, each with two payloads (the file and its metadata), spent an
    /// eighth of its CPU allocating, faulting in and unmapping them. More data than expected is still taken.
    public init(fileKey: SecureBytes, sink: ByteSink, expectedSize: Int64? = nil) throws {
        let payloadNonce = try SystemRandom.bytes(count: Payload.nonceSize)
        workers = try ChunkWorkers(key: Payload.payloadKey(fileKey: fileKey, nonce: payloadNonce))
        self.sink = sink
        batches = [Payload.allocateIOBuffer(Self.firstBatchBytes(expectedSize: expectedSize))]
        touched = [0]
        try sink.write(payloadNonce)
    }

    /// Room for `expectedSize` bytes of plaintext in the slot layout, the last chunk's tag, and one page
    /// more so that a read straight into the batch sees the end of the input without growing it.
    static func firstBatchBytes(expectedSize: Int64?) -> Int {
        let whole = Payload.batchChunks * slotSize
        guard let expectedSize, expectedSize >= 0, expectedSize < Int64(batchBytes) else { return whole }
        let size = Int(expectedSize)
        let end = size / Payload.chunkSize * slotSize + size % Payload.chunkSize + ChaChaPoly.tagByteCount
        return min(whole, (end + 4095) / 4096 * 4096 + 4096)
    }

    deinit {
        // Abandoned after an error: the workers may still be using a batch.
        try? sealing?.ticket.wait()
        for (batch, count) in zip(batches, touched) {
            ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: batch[0..<count]))
            batch.deallocate()
        }
        if let probe {
            ConstantTime.wipe(probe)
            probe.deallocate()
        }
    }

    /// Where the next plaintext byte goes: the rest of the current chunk's slot, short of the batch's end
    /// less a tag (so the chunk can be sealed in place); a first batch too small for more is grown first.
    private func room() -> UnsafeMutableRawBufferPointer {
        let chunk = filled / Payload.chunkSize
        let start = chunk * Self.slotSize + filled % Payload.chunkSize
        let chunkEnd = chunk * Self.slotSize + Payload.chunkSize
        if batches[filling].count - ChaChaPoly.tagByteCount <= start { growFirstBatch() }
        let end = min(chunkEnd, batches[filling].count - ChaChaPoly.tagByteCount)
        return UnsafeMutableRawBufferPointer(rebasing: batches[filling][start..<end])
    }

    /// Replaces a first batch sized for a smaller payload by a whole one (only the first batch can be short,
    /// and it is filled before any other is used).
    private func growFirstBatch() {
        precondition(filling == 0 && batches.count == 1, "only the first batch is ever short")
        let whole = Payload.allocateIOBuffer(Payload.batchChunks * Self.slotSize)
        let old = batches[0]
        whole.baseAddress!.copyMemory(from: old.baseAddress!, byteCount: touched[0])
        ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: old[0..<touched[0]]))
        old.deallocate()
        batches[0] = whole
    }

    private func didFill(_ count: Int, at room: UnsafeMutableRawBufferPointer) {
        filled += count
        let end = room.baseAddress! - batches[filling].baseAddress! + count
        touched[filling] = max(touched[filling], end)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        var offset = 0
        while offset < bytes.count {
            // A full batch followed by more data is certainly not the last one.
            if filled == Self.batchBytes { try sealInBackground() }
            let room = room()
            let n = min(room.count, bytes.count - offset)
            room.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            offset += n
            didFill(n, at: room)
        }
    }

    /// Writes everything `source` yields, reading it straight into the batch rather than through a buffer
    /// of the caller's. Whether a full batch is followed by more data is learnt by reading one page into a
    /// side buffer, which then starts the next batch.
    func write(from source: ByteSource) throws {
        precondition(!finished, "write after finish")
        while true {
            if filled == Self.batchBytes {
                let probe = probe ?? Payload.allocateIOBuffer(4096)
                self.probe = probe
                let n = try source.read(into: probe)
                if n == 0 { return }
                try sealInBackground()
                try write(UnsafeRawBufferPointer(rebasing: probe[0..<n]))
            }
            let room = room()
            let n = try source.read(into: room)
            if n == 0 { return }
            didFill(n, at: room)
        }
    }

    /// Seals what is left, the final chunk flagged as last (empty only when the whole payload is), and
    /// writes it.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        try writeSealed()
        let count = max(1, (filled + Payload.chunkSize - 1) / Payload.chunkSize)
        try reserveCounters(count)
        let finalCount = filled - (count - 1) * Payload.chunkSize
        let batch = batches[filling]
        let first = counter
        try workers.forEach(count) { aead, i in
            let isFinal = i == count - 1
            let length = isFinal ? finalCount : Payload.chunkSize
            try Self.seal(i, of: batch, length: length, counter: first + UInt64(i), last: isFinal, aead)
        }
        try write(batch, chunks: count, finalCount: finalCount)
        finished = true
    }

    /// Hands the full batch, none of it last, to the workers, then finishes and writes the batch they had
    /// before, and switches to its buffer.
    private func sealInBackground() throws {
        try reserveCounters(Payload.batchChunks)
        if batches.count == 1 {
            batches.append(Payload.allocateIOBuffer(Payload.batchChunks * Self.slotSize))
            touched.append(0)
        }
        let batch = batches[filling]
        let first = counter
        let ticket = try workers.start(Payload.batchChunks) { aead, i in
            try Self.seal(i, of: batch, length: Payload.chunkSize, counter: first + UInt64(i), last: false, aead)
        }
        counter += UInt64(Payload.batchChunks)
        do {
            try writeSealed()
        } catch {
            try? ticket.wait()  // the batch must outlive the workers' use of it
            throw error
        }
        sealing = (ticket, filling)
        filling = 1 - filling
        filled = 0
    }

    /// Helps the workers finish the batch they have, if any, waits for it and writes it.
    private func writeSealed() throws {
        guard let (ticket, batch) = sealing else { return }
        sealing = nil
        try ticket.wait()
        try write(batches[batch], chunks: Payload.batchChunks, finalCount: Payload.chunkSize)
    }

    private func write(_ batch: UnsafeMutableRawBufferPointer, chunks count: Int, finalCount: Int) throws {
        for i in 0..<count {
            let length = (i == count - 1 ? finalCount : Payload.chunkSize) + ChaChaPoly.tagByteCount
            try sink.write(UnsafeRawBufferPointer(rebasing: batch[i * Self.slotSize..<i * Self.slotSize + length]))
        }
    }

    private func reserveCounters(_ count: Int) throws {
        guard counter + UInt64(count) <= Payload.maximumChunks else {
            throw AgeError.payload("the payload is too large")
        }
    }

    /// Seals chunk `i` of `batch` in place: `length` bytes of plaintext become ciphertext and tag.
    private static func seal(
        _ i: Int, of batch: UnsafeMutableRawBufferPointer, length: Int, counter: UInt64, last: Bool,
        _ aead: ChaChaPoly
    ) throws {
        let start = i * slotSize
        let slot = UnsafeMutableRawBufferPointer(rebasing: batch[start..<start + length + ChaChaPoly.tagByteCount])
        let plaintext = UnsafeRawBufferPointer(rebasing: slot[0..<length])
        try Payload.withChunkNonce(counter: counter, last: last) { try aead.seal(plaintext, nonce: $0, into: slot) }
    }
}
