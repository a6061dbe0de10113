import CaseVaultCore
import Testing

@testable import CaseVaultCLI

@Suite("Exit code 75: another command changed what this one relied on")
struct TryAgainExitTests {
    @Test("a role key rotated during an add is 75 (run it again), neither usage (64) nor tampering (65)")
    func roleKeyChanged() {
        let error = VaultError.roleKeyChanged(role: "lawyer")
        #expect(ErrorReport.exitCode(for: error) == ExitCodes.tryAgain)
        #expect(ExitCodes.tryAgain == 75)
        #expect(ErrorReport.message(for: error).contains("run the command again"))
    }
}
