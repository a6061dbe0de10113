// swift-tools-version:6.0
// CaseVault's fuzzers: one libFuzzer executable per parser of untrusted bytes. A package of its own, so that
// `swift test` in the main package never builds or runs them; `run.sh` builds them with -sanitize=fuzzer and
// runs each for a fixed number of inputs. Each target defines only `LLVMFuzzerTestOneInput`; libFuzzer
// supplies `main`, which is why the targets compile with -parse-as-library.
import PackageDescription

let fuzzers: [(name: String, products: [String])] = [
    ("FuzzAgeHeader", ["CaseVaultAge", "CaseVaultCrypto"]),
    ("FuzzArmor", ["CaseVaultAge", "CaseVaultIO"]),
    ("FuzzSignedNote", ["CaseVaultLog"]),
    ("FuzzProofText", ["CaseVaultLog"]),
    ("FuzzLogEntry", ["CaseVaultCore"]),
    ("FuzzPublicCard", ["CaseVaultCore"]),
    ("FuzzKeyFile", ["CaseVaultCore", "CaseVaultAge", "CaseVaultCrypto"]),
    ("FuzzRecoveryShare", ["CaseVaultCore", "CaseVaultCrypto"]),
]

let package = Package(
    name: "CaseVaultFuzz",
    dependencies: [.package(name: "CaseVault", path: "../..")],
    targets: [
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(name: "FuzzMain", dependencies: ["CLibFuzzer"]),
    ]
        + fuzzers.map { fuzzer in
            .executableTarget(
                name: fuzzer.name,
                dependencies: ["FuzzMain"] + fuzzer.products.map { .product(name: $0, package: "CaseVault") },
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        },
    swiftLanguageModes: [.v6]
)
