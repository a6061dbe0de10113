// swift-tools-version:6.0
// CaseVault: an encrypted case and evidence vault for legal-aid teams.
//
// The targets are layers; each may import only the ones listed as its dependencies:
//   COpenSSL (C shim) <- CaseVaultCrypto <- CaseVaultIO <- CaseVaultAge <- CaseVaultCore <- CaseVaultCLI <- casevault
//   CaseVaultCrypto <- CaseVaultLog (the signed log's formats, beside the file layers)
//
// Linux only: the file layer relies on O_DIRECT, O_TMPFILE, linkat, syncfs and SO_PEERCRED.
import PackageDescription

let package = Package(
    name: "CaseVault",
    products: [
        .executable(name: "casevault", targets: ["casevault"]),
        .library(name: "CaseVaultAge", targets: ["CaseVaultAge"]),
        // The other layers are products too so that the fuzzers in Tests/Fuzz, a package of their own (built
        // with -sanitize=fuzzer, too slow for `swift test`), can reach the parsers they exercise.
        .library(name: "CaseVaultCrypto", targets: ["CaseVaultCrypto"]),
        .library(name: "CaseVaultIO", targets: ["CaseVaultIO"]),
        .library(name: "CaseVaultLog", targets: ["CaseVaultLog"]),
        .library(name: "CaseVaultCore", targets: ["CaseVaultCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The only C in the project: a module map over libcrypto plus one shim header.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The only Swift that imports COpenSSL.
        .target(name: "CaseVaultCrypto", dependencies: ["COpenSSL"]),
        // Files, folders, byte streams and sockets: durable and atomic writers, unnamed temporary files,
        // interrupt and leftover cleanup. Below the file format, so that the format does no file I/O.
        .target(name: "CaseVaultIO", dependencies: ["COpenSSL", "CaseVaultCrypto"]),
        // age v1 (age-encryption.org/v1): the format only, over the byte streams of CaseVaultIO.
        .target(name: "CaseVaultAge", dependencies: ["CaseVaultIO", "CaseVaultCrypto"]),
        // The signed log's formats: RFC 9162 Merkle trees and proofs, C2SP signed notes, checkpoints,
        // cosignatures and proof texts. Pure values and functions over bytes; no file I/O.
        .target(name: "CaseVaultLog", dependencies: ["CaseVaultCrypto"]),
        // The vault: store, envelopes, members, roles, cases, items, and the signed log that vouches for them.
        .target(
            name: "CaseVaultCore",
            dependencies: [
                "CaseVaultAge", "CaseVaultIO", "CaseVaultLog", "CaseVaultCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Subcommands: parse, call the core, print.
        .target(
            name: "CaseVaultCLI",
            dependencies: [
                "CaseVaultCore", "CaseVaultAge", "CaseVaultIO", "CaseVaultLog", "CaseVaultCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "casevault", dependencies: ["CaseVaultCLI"]),
        // A benchmark, not in the product: the X25519 floor of `keys rotate --rewrap` (`swift run -c release
        // x25519-floor`). It calls OpenSSL directly only to time the arithmetic without CaseVault around it.
        .executableTarget(
            name: "x25519-floor", dependencies: ["COpenSSL", "CaseVaultCrypto", "CaseVaultAge"],
            path: "Benchmarks/X25519Floor"),
        // Helpers every test target shares: temporary folders, random bytes, hex, SHA-256, running programs.
        // A regular target kept under Tests/ (as swift-nio keeps NIOTestUtils), so test targets can depend on it.
        .target(name: "CaseVaultTestSupport", dependencies: ["CaseVaultCrypto"], path: "Tests/CaseVaultTestSupport"),
        .testTarget(name: "CaseVaultCryptoTests", dependencies: ["CaseVaultCrypto", "CaseVaultTestSupport"]),
        .testTarget(
            name: "CaseVaultIOTests", dependencies: ["CaseVaultIO", "CaseVaultCrypto", "CaseVaultTestSupport"]),
        .testTarget(
            name: "CaseVaultAgeTests",
            dependencies: ["CaseVaultAge", "CaseVaultIO", "CaseVaultCrypto", "CaseVaultTestSupport"]
        ),
        .testTarget(
            name: "CaseVaultLogTests", dependencies: ["CaseVaultLog", "CaseVaultCrypto", "CaseVaultTestSupport"]),
        .testTarget(
            name: "CaseVaultCoreTests",
            dependencies: [
                "CaseVaultCore", "CaseVaultAge", "CaseVaultIO", "CaseVaultLog", "CaseVaultCrypto",
                "CaseVaultTestSupport",
            ]
        ),
        // End-to-end tests: they run the built `casevault` binary (a dependency, so SwiftPM builds it). The
        // command tree comes from CaseVaultCLI, read through ArgumentParser's configuration.
        .testTarget(
            name: "CaseVaultCLITests",
            dependencies: [
                "casevault", "CaseVaultCLI", "CaseVaultAge", "CaseVaultIO", "CaseVaultTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
