import ArgumentParser
import CommandReporting
import LicensePlatform

/// `license-issuer pki DIR`: a root CA and a code-signing signer under it, plus the
/// keyring a device needs to trust licenses signed with them.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Make a throwaway licensing PKI in a directory.",
        discussion: """
            Writes root.crt, root.key, signer.crt, signer.key (codeSigning, issued by the root, \
            valid for 10 years from a year ago) and keyring.pem (the root certificate). Keys are \
            unencrypted PKCS#8 PEM, mode 0600.
            """)

    @Argument(help: ArgumentHelp("Directory to write the files into (created when missing).", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Key type of both keys.", valueName: "p256|p384|rsa2048"))
    var algorithm: PrivateKey.Algorithm = .p256

    func run() throws {
        try runReporting {
            try ThrowawayPKI(algorithm: algorithm).write(to: directory)
            return 0
        }
    }
}

extension PrivateKey.Algorithm: ExpressibleByArgument {}
