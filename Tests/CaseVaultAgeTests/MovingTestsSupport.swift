// DirectFileWriterTests and AtomicFileSinkTests are moving to a file-layer test target and are not edited
// here meanwhile; they use TemporaryFolder and sameBytes without importing CaseVaultTestSupport. This
// re-export lets them compile until the move, which should import CaseVaultTestSupport and delete this file.
@_exported import CaseVaultTestSupport
