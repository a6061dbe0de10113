import CaseVaultCrypto
import CaseVaultIO

/// Decrypts a payload chunk by chunk. No byte of a chunk is released before that chunk's tag verifies,
/// and the end of the stream is authenticated: truncation, extension and reordering all fail.
///
/// The rules match age's reference reader, so that the same damaged file releases the same verified
/// prefix everywhere: a short chunk must be the last one; a full-size chunk is tried as a middle chunk
/// first and then as the last one; after the last chunk the stream must end. A chunk that verified is
/// released even when the damage lies after it (the error comes with the next read).
///
/// Sealed chunks are read `Payload.batchChunks` at a time and opened in parallel; the chunks of a batch
/// are then released in order, up to the first that fails, and only then does the failure surface.
public final class PayloadDecryptor: ByteSource {
    private let source: ByteSource
    private let workers: ChunkWorkers
    private let sealed: UnsafeMutableRawBufferPointer  // the batch as read
    private let plain: UnsafeMutableRawBufferPointer  // chunk i's plaintext at i * chunkSize
    private var touched = 0  // bytes of `plain` that have held plaintext, to wipe
    private let opened: UnsafeMutableBufferPointer<Bool>  // which chunks of the batch verified (as first tried)
    private let batchChunks: Int  // chunks per batch: Payload.batchChunks, fewer for a small known payload
    private var verified = 0  // chunks of the batch that verified, in order from the first
    private var released = 0  // of those, how many have been handed out
    private var finalCount = Payload.chunkSize  // plaintext bytes of the batch's last verified chunk
    private var counter: UInt64 = 0  // of the batch's first chunk
    private var sawLast = false
    private var pendingError: AgeError?
    private var current = UnsafeRawBufferPointer(start: nil, count: 0)  // what `read` has yet to copy out

    /// Reads the payload nonce from `source` and derives the payload key. A missing or short nonce is a
    /// header failure, as in the conformance suite: the file ends before its payload begins.
    public init(fileKey: SecureBytes, source: ByteSource) throws {
        var payloadNonce = [UInt8](repeating: 0, count: Payload.nonceSize)
        let n = try payloadNonce.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard n == Payload.nonceSize else { throw AgeError.header("the file ends before the payload nonce") }
        workers = try ChunkWorkers(key: Payload.payloadKey(fileKey: fileKey, nonce: payloadNonce))
        self.source = source
        // A payload known to be small (a sealed blob from the database) gets buffers of its own size, not a
        // whole batch: listing 10,000 file names otherwise maps and wipes 4 MiB per name. A batch holds
        // every chunk of such a payload, so it is read and opened exactly as a full batch would be.
        let chunks =
            source.knownRemainingCount.map {
                min(Payload.batchChunks, max(1, ($0 + Payload.sealedChunkSize - 1) / Payload.sealedChunkSize))
            } ?? Payload.batchChunks
        sealed = Payload.allocateIOBuffer(chunks * Payload.sealedChunkSize)
        plain = Payload.allocateIOBuffer(chunks * Payload.chunkSize)
        opened = .allocate(capacity: chunks)
        opened.initialize(repeating: false)
        batchChunks = chunks
    }

    deinit {
        ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: plain[0..<touched]))
        sealed.deallocate()
        plain.deallocate()
        opened.deallocate()
    }

    /// The next verified chunk of plaintext, or nil at the authenticated end of the payload. The buffer is
    /// valid until the next call.
    public func nextChunk() throws -> UnsafeRawBufferPointer? {
        try take(upTo: 1)
    }

    /// Up to `limit` verified chunks as one buffer (they are contiguous in `plain`), or nil at the end.
    private func take(upTo limit: Int) throws -> UnsafeRawBufferPointer? {
        if released == verified {
            if let pendingError { throw pendingError }
            if sawLast { return nil }
            try openBatch()
        }
        let start = released * Payload.chunkSize
        released = min(verified, released + limit)
        let end = released == verified ? (verified - 1) * Payload.chunkSize + finalCount : released * Payload.chunkSize
        return UnsafeRawBufferPointer(rebasing: plain[start..<end])
    }

    /// Reads and opens the next batch. Afterwards at least one chunk is ready to release; a failure after
    /// it waits in `pendingError`, while a failure at the batch's first chunk is thrown at once.
    private func openBatch() throws {
        verified = 0
        released = 0
        let n = try source.readFully(into: sealed)
        if n == 0 {
            throw AgeError.payload(
                counter == 0 ? "the payload has no chunks" : "the payload ends without its final chunk")
        }
        let fullCount = n / Payload.sealedChunkSize
        let pieces = fullCount + (n % Payload.sealedChunkSize > 0 ? 1 : 0)
        func length(_ i: Int) -> Int { i < fullCount ? Payload.sealedChunkSize : n % Payload.sealedChunkSize }

        // Chunks that fail before any crypto stop the batch there; those before them are still opened.
        var openable = pieces
        var failure: AgeError?
        for i in 0..<pieces {
            if length(i) < ChaChaPoly.tagByteCount {
                failure = AgeError.payload("a payload chunk is truncated")
            } else if counter + UInt64(i) >= Payload.maximumChunks {
                failure = AgeError.payload("the payload is too large")
            } else if length(i) == ChaChaPoly.tagByteCount && counter + UInt64(i) > 0 {
                failure = AgeError.payload("the final chunk is empty, which only an empty payload may have")
            }
            if failure != nil {
                openable = i
                break
            }
        }

        // A short chunk can only be the last; a full one is tried as a middle chunk first.
        let sealed = sealed
        let plain = plain
        let opened = opened
        let first = counter
        try workers.forEach(openable) { aead, i in
            let input = Payload.sealedChunk(i, length: length(i), in: sealed)
            let output = Payload.plainChunk(i, in: plain)
            let last = length(i) < Payload.sealedChunkSize
            opened[i] = try Payload.withChunkNonce(counter: first + UInt64(i), last: last) {
                try aead.open(input, nonce: $0, into: output)
            }
        }
        touched = max(touched, openable * Payload.chunkSize)

        var lastAt: Int?
        for i in 0..<openable {
            if opened[i] {
                verified = i + 1
                if length(i) < Payload.sealedChunkSize { lastAt = i }
                continue
            }
            if length(i) == Payload.sealedChunkSize, try openAsLast(i) {
                verified = i + 1
                lastAt = i
            } else {
                failure = AgeError.payload(
                    "chunk \(counter + UInt64(i)) failed authentication: the payload was altered, truncated or extended"
                )
            }
            break
        }
        if let lastAt {
            sawLast = true
            // The stream must end here. The verified chunk is still released; the error waits.
            let dataFollows = try lastAt < pieces - 1 || !sourceIsAtEnd()
            failure = dataFollows ? AgeError.payload("data follows the final chunk") : nil
        }
        pendingError = failure
        guard verified > 0 else { throw failure! }
        finalCount = length(verified - 1) - ChaChaPoly.tagByteCount
        counter += UInt64(verified)
    }

    /// A full-size chunk that failed as a middle chunk may be the last one.
    private func openAsLast(_ i: Int) throws -> Bool {
        let input = Payload.sealedChunk(i, length: Payload.sealedChunkSize, in: sealed)
        let output = Payload.plainChunk(i, in: plain)
        return try Payload.withChunkNonce(counter: counter + UInt64(i), last: true) {
            try workers.serial.open(input, nonce: $0, into: output)
        }
    }

    private func sourceIsAtEnd() throws -> Bool {
        var probe: UInt8 = 0
        return try withUnsafeMutableBytes(of: &probe) { try source.read(into: $0) } == 0
    }

    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        while current.isEmpty {
            guard let chunk = try nextChunk() else { return 0 }
            current = chunk
        }
        let n = min(out.count, current.count)
        out.copyMemory(from: UnsafeRawBufferPointer(rebasing: current[..<n]))
        current = UnsafeRawBufferPointer(rebasing: current[n...])
        return n
    }

    /// Writes the whole verified plaintext to `sink`, a batch of verified chunks at a time.
    public func decrypt(to sink: ByteSink) throws {
        while let run = try take(upTo: batchChunks) { try sink.write(run) }
    }
}
