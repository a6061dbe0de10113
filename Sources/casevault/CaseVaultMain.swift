import CaseVaultCLI

/// The executable is only this: everything else is in CaseVaultCLI so that it can be tested as a library.
@main
enum CaseVaultMain {
    static func main() async {
        await CaseVaultCommand.runFromCommandLine()
    }
}
