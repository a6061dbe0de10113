import CaseVaultCrypto

/// SHA-256 of `bytes` as lowercase hex, the form the vault stores and prints.
///
/// OpenSSL through CaseVaultCrypto, whose digests are checked against the FIPS 180 vectors in
/// CaseVaultCryptoTests; the hash is of the whole input at once, so it checks the vault's streaming hashes.
public func sha256Hex(_ bytes: [UInt8]) throws -> String {
    try Digest.hash(.sha256, bytes).hexString
}

/// SHA-256 of the file at `path` as lowercase hex.
public func sha256Hex(file path: String) throws -> String {
    try sha256Hex(readFile(path))
}
