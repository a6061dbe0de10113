import COpenSSL
// Benchmark (not a test, not in the product): the X25519 floor of a rewrap. An item is two age headers, and
// rewrapping a header is three X25519 operations: the old stanza's agreement, a fresh ephemeral key, and
// the new stanza's agreement. This times exactly those six operations per item in a tight loop on THREADS
// threads, three ways:
//   before     the same calls as CaseVaultCrypto made them before session 7 (a context per agreement, with
//              OpenSSL's peer check, and the share imported as a new key), for comparison;
//   calls      through the CaseVaultCrypto calls the rewrap makes (`sharedSecret(withRawPeer:)` with the
//              role key, `X25519.ephemeralAgreement(with:)` with the new recipient);
//   floor      OpenSSL alone with the most reuse it allows: contexts set up once, the ephemeral key from a
//              reused key-generation context, no peer imported per call (the same peer each time), so
//              what is left is the arithmetic;
//   headers    a whole header rewrap through CaseVaultAge (parse, unwrap, verify the MAC, wrap, seal), as
//              `Vault.rewrapHeader` does it, without the vault around it.
// and prints items/s against the limit (openssl speed's X25519 rate x cores / 3), given as RATE.
//
//   swift run -c release x25519-floor [ITEMS-PER-THREAD] [THREADS] [RATE]
//
// CPU time (all threads) is printed next to wall time: on a shared machine it is the figure to compare.
import CaseVaultAge
import CaseVaultCrypto
import Dispatch
import Foundation
import Synchronization

let arguments = CommandLine.arguments.dropFirst().map { Double($0) }
let perThread = Int(arguments.first.flatMap { $0 } ?? 2000)
let threads = Int(arguments.dropFirst().first.flatMap { $0 } ?? 2)
let rate = arguments.dropFirst(2).first.flatMap { $0 }

func seconds(_ clock: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(clock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `body(thread)` on `threads` threads at once and prints the rate of `perThread` items per thread.
func measure(_ name: String, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let (wall0, cpu0) = (seconds(CLOCK_MONOTONIC), seconds(CLOCK_PROCESS_CPUTIME_ID))
    let failures = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        do { try body(thread) } catch { failures.add(1, ordering: .relaxed) }
    }
    guard failures.load(ordering: .relaxed) == 0 else { throw CryptoError(operation: name, code: .openSSL) }
    let (wall, cpu) = (seconds(CLOCK_MONOTONIC) - wall0, seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0)
    let items = Double(perThread * threads)
    let onCPU = items / cpu * Double(threads)
    var line =
        name.padding(toLength: 8, withPad: " ", startingAt: 0)
        + String(
            format: "%8.0f items/s wall, %6.1f us CPU per item, %6.0f items/s on the CPU time of %d cores",
            items / wall, cpu * 1e6 / items, onCPU, threads)
    if let rate {
        line += String(format: " = %.2fx of %.0f x %d / 3", onCPU / (rate * Double(threads) / 3), rate, threads)
    }
    print(line)
}

/// The rewrap's X25519 calls: per header, unwrap with the role key, then an ephemeral agreement.
func calls() throws {
    let old = try X25519.PrivateKey()
    let new = try X25519.PrivateKey()
    let share = try X25519.ephemeralAgreement(with: old.publicKey).share
    try measure("calls") { _ in
        for _ in 0..<perThread * 2 {
            _ = try old.sharedSecret(withRawPeer: share)
            _ = try X25519.ephemeralAgreement(with: new.publicKey)
        }
    }
}

/// Throws unless OpenSSL returned 1.
@Sendable func ok(_ rc: Int32) throws { if rc != 1 { throw CryptoError(operation: "floor", code: .openSSL) } }

/// A new X25519 key-generation context, ready for `EVP_PKEY_keygen`; the caller frees it.
@Sendable func keyGenerator() throws -> OpaquePointer {
    guard let generator = EVP_PKEY_CTX_new_from_name(nil, "X25519", nil) else {
        throw CryptoError(operation: "key generator", code: .openSSL)
    }
    guard EVP_PKEY_keygen_init(generator) == 1 else {
        EVP_PKEY_CTX_free(generator)
        throw CryptoError(operation: "key generator", code: .openSSL)
    }
    return generator
}

/// OpenSSL with every context set up once: two agreements and one key generation per header.
func floor() throws {
    try measure("floor") { _ in
        let generator = try keyGenerator()
        defer { EVP_PKEY_CTX_free(generator) }
        var mine: OpaquePointer?
        var peer: OpaquePointer?
        try ok(EVP_PKEY_keygen(generator, &mine))
        try ok(EVP_PKEY_keygen(generator, &peer))
        defer {
            EVP_PKEY_free(mine)
            EVP_PKEY_free(peer)
        }
        guard let agreement = EVP_PKEY_CTX_new(mine, nil) else { throw CryptoError(operation: "floor", code: .openSSL) }
        defer { EVP_PKEY_CTX_free(agreement) }
        try ok(EVP_PKEY_derive_init(agreement))
        try ok(EVP_PKEY_derive_set_peer_ex(agreement, peer, 0))
        var secret = [UInt8](repeating: 0, count: 32)
        var share = [UInt8](repeating: 0, count: 32)
        for _ in 0..<perThread * 2 {
            var length = 32
            try ok(EVP_PKEY_derive(agreement, &secret, &length))
            var ephemeral: OpaquePointer?
            try ok(EVP_PKEY_keygen(generator, &ephemeral))
            length = 32
            let exported = EVP_PKEY_get_raw_public_key(ephemeral, &share, &length)
            EVP_PKEY_free(ephemeral)
            try ok(exported)
            length = 32
            try ok(EVP_PKEY_derive(agreement, &secret, &length))
        }
        OPENSSL_cleanse(&secret, secret.count)
    }
}

/// The calls as CaseVaultCrypto made them before session 7, for comparison: each agreement in a context of
/// its own with OpenSSL's peer check, and the stanza's share imported as a new key.
func before() throws {
    try measure("before") { _ in
        let generator = try keyGenerator()
        defer { EVP_PKEY_CTX_free(generator) }
        var old: OpaquePointer?
        var new: OpaquePointer?
        var stanza: OpaquePointer?
        try ok(EVP_PKEY_keygen(generator, &old))
        try ok(EVP_PKEY_keygen(generator, &new))
        try ok(EVP_PKEY_keygen(generator, &stanza))
        defer {
            EVP_PKEY_free(old)
            EVP_PKEY_free(new)
            EVP_PKEY_free(stanza)
        }
        var share = [UInt8](repeating: 0, count: 32)
        var length = 32
        try ok(EVP_PKEY_get_raw_public_key(stanza, &share, &length))
        func agree(_ key: OpaquePointer?, _ peer: OpaquePointer?) throws {
            guard let context = EVP_PKEY_CTX_new(key, nil) else {
                throw CryptoError(operation: "before", code: .openSSL)
            }
            defer { EVP_PKEY_CTX_free(context) }
            try ok(EVP_PKEY_derive_init(context))
            try ok(EVP_PKEY_derive_set_peer(context, peer))
            var secret = [UInt8](repeating: 0, count: 32)
            var length = 32
            try ok(EVP_PKEY_derive(context, &secret, &length))
            OPENSSL_cleanse(&secret, secret.count)
        }
        for _ in 0..<perThread * 2 {
            guard let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, share, 32) else {
                throw CryptoError(operation: "before", code: .openSSL)
            }
            defer { EVP_PKEY_free(peer) }
            try agree(old, peer)
            var ephemeral: OpaquePointer?
            try ok(EVP_PKEY_keygen(generator, &ephemeral))
            defer { EVP_PKEY_free(ephemeral) }
            var exported = [UInt8](repeating: 0, count: 32)
            length = 32
            try ok(EVP_PKEY_get_raw_public_key(ephemeral, &exported, &length))
            try agree(ephemeral, new)
        }
    }
}

/// A whole header rewrap through CaseVaultAge, as `Vault.rewrapHeader` does it, twice per item.
func headers() throws {
    let old = try X25519Identity.generate()
    let new = try X25519Identity.generate()
    let header = try Age.makeHeader(fileKey: FileKey.generate(), recipients: [old.recipient]).encoded()
    try measure("headers") { _ in
        for _ in 0..<perThread * 2 {
            let (parsed, _) = try Header.parse(header)
            guard let fileKey = try old.unwrap(stanzas: [parsed.stanzas[0]]) else {
                throw CryptoError(operation: "headers", code: .openSSL)
            }
            let macKey = try Header.MACKey(fileKey: fileKey)
            try parsed.verifyMAC(macKey)
            _ = try Header.sealed(stanzas: new.recipient.wrap(fileKey: fileKey), macKey: macKey).encoded()
        }
    }
}

print("\(perThread) items per thread, \(threads) threads, six X25519 operations per item")
try floor()
try before()
try calls()
try headers()
