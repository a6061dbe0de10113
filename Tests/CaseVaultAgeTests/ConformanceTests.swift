import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Testing

@testable import CaseVaultAge

/// The C2SP CCTV age conformance suite: every non-post-quantum vector must end in the expected class
/// of outcome and release exactly the expected plaintext (by SHA-256), including what a payload failure
/// lets out before the damaged chunk.
@Suite("age conformance vectors (C2SP CCTV)")
struct ConformanceTests {
    static let inScope: [String] = {
        guard let names = TestVectors.ageVectorNames() else { return [] }
        return names.filter { name in
            // Post-quantum vectors (ML-KEM, which OpenSSL 3.0 lacks) are out of scope; the headers say which.
            guard let vector = try? TestVectors.load(name, inflate: false) else { return true }
            return !vector.isPostQuantum
        }
    }()

    @Test(
        "the suite is present and complete",
        .enabled(
            if: TestVectors.ageDirectory != nil,
            "SKIPPED: age CCTV vectors not found (../shared/vectors or CASEVAULT_VECTORS)"))
    func suiteIsComplete() {
        #expect(Self.inScope.count == 124)
    }

    @Test(
        "vector", .enabled(if: TestVectors.ageDirectory != nil, "SKIPPED: age CCTV vectors not found"),
        arguments: inScope)
    func vector(_ name: String) throws {
        let vector = try TestVectors.load(name)
        let expect = try #require(vector.values("expect").first)
        var identities: [Identity] = []
        for key in vector.values("identity") { identities.append(try X25519Identity(key)) }
        for passphrase in vector.values("passphrase") {
            identities.append(ScryptIdentity(passphrase: SecureBytes(copying: Array(passphrase.utf8))))
        }
        let armored = vector.values("armored").first == "yes"
        let sink = HashingSink()
        var outcome = "success"
        do {
            try Age.decrypt(from: MemorySource(vector.body), to: sink, identities: identities, armored: armored)
        } catch let error as AgeError {
            outcome = error.failureClass
        }
        #expect(outcome == expect, "\(name): \(vector.values("comment").first ?? "")")
        if let payload = vector.values("payload").first {
            #expect(try sink.digest() == payload, "\(name): released plaintext differs")
        }
    }
}

/// A sink that only hashes what it is given.
final class HashingSink: ByteSink {
    private let digestState = try! Digest(.sha256)
    private(set) var count = 0

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try digestState.update(bytes)
        count += bytes.count
    }

    func digest() throws -> String {
        try digestState.finalize().hexString
    }
}
