import Foundation
import Synchronization
import Testing

@testable import CaseVaultCore

/// The files of a batch add are encrypted on helper threads while the transaction takes them in order.
@Suite("File pipeline")
struct FilePipelineTests {
    struct Failure: Error, Equatable { let index: Int }

    @Test("results come in the files' order, each once, whatever order the helpers finish in")
    func inOrder() throws {
        let pipeline = FileWorkers.Pipeline(count: 200, threads: 4) { index -> Int in
            // Uneven work, so that helpers finish out of order.
            if index % 3 == 0 { usleep(200) }
            return index * 10
        }
        let results = try (0..<200).map { try pipeline.take($0) }
        #expect(results == (0..<200).map { $0 * 10 })
        pipeline.stop()
    }

    @Test("a failure comes after the results before it, as the error of the lowest failed file")
    func failureAtItsIndex() throws {
        let started = Mutex(Set<Int>())
        let pipeline = FileWorkers.Pipeline(count: 100, threads: 2) { index -> Int in
            started.withLock { _ = $0.insert(index) }
            if index == 40 || index == 41 { throw Failure(index: index) }
            return index
        }
        for index in 0..<40 { #expect(try pipeline.take(index) == index) }
        #expect(throws: Failure(index: 40)) { try pipeline.take(40) }
        pipeline.stop()
        // No file is handed out after a failure (a helper may have taken one or two already).
        #expect(started.withLock { $0.max() ?? 0 } < 45)
    }

    @Test("stop hands out no further file and waits for the ones taken")
    func stopWaits() throws {
        let finished = Mutex(0)
        let pipeline = FileWorkers.Pipeline(count: 1000, threads: 2) { index -> Int in
            usleep(1000)
            finished.withLock { $0 += 1 }
            return index
        }
        #expect(try pipeline.take(0) == 0)
        pipeline.stop()
        let done = finished.withLock { $0 }
        #expect(done < 1000)
        usleep(20_000)
        #expect(finished.withLock { $0 } == done)
    }
}
