import ArgumentParser

/// `license-issuer`: the vendor side, for the demo and tests only. Never installed on devices.
///
/// Makes a throwaway licensing PKI and signs license documents into `.lic` files with
/// libcrypto (through `LicensePlatform`), never by running the `openssl` program.
@main
struct LicenseIssuerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license-issuer",
        abstract: "Make a throwaway licensing PKI and sign license documents (test and demo tool).",
        discussion: "Exit codes: 0 success; 1 error; 64 usage error.",
        subcommands: [PKICommand.self, SignCommand.self])
}
