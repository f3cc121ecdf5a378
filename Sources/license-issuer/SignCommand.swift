import ArgumentParser
import CommandReporting
import LicensePlatform
import LicensePolicy

/// `license-issuer sign DOC.json`: the signed `.lic` file for a license document, byte for
/// byte what `openssl cms -sign -binary -nodetach -md sha256 -outform PEM|DER` makes.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a license document into a .lic file (CMS SignedData).")

    @Argument(help: ArgumentHelp("The license document (JSON) to encapsulate.", valueName: "doc.json"))
    var document: String

    @Option(help: ArgumentHelp("The signer certificate (PEM).", valueName: "cert"))
    var signer: String

    @Option(help: ArgumentHelp("The signer's unencrypted private key (PEM).", valueName: "key"))
    var key: String

    @Option(help: ArgumentHelp("Certificates to carry in the CMS, e.g. intermediates (PEM).", valueName: "chain"))
    var certfile: String?

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Where to write the .lic file.", valueName: "file"))
    var output: String

    @Flag(help: "Write DER instead of PEM.")
    var der = false

    func run() throws {
        try runReporting {
            guard let content = try DurableFile.read(document, limit: LicenseLimits.maximumFileSize) else {
                throw AgentError(.io, "The license document does not exist", path: document)
            }
            let signing = try CMSLicenseSigner(certificatePath: signer, keyPath: key, chainPath: certfile)
            try DurableFile.write(signing.sign(content, encoding: der ? .der : .pem), to: output)
            return 0
        }
    }
}
