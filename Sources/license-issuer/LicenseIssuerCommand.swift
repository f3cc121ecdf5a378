import ArgumentParser

/// `license-issuer`: the vendor side, for the demo and tests only. Never installed on devices.
@main
struct LicenseIssuerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license-issuer",
        abstract: "Make a throwaway licensing PKI and sign license documents (test and demo tool).",
        subcommands: [])
}
