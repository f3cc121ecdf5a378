import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// Options of every command that talks to a server.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Proxy URL (default: proxy= in /etc/license-agent/agent.conf).", valueName: "url"),
            transform: CommandLineBytes.text)
    var proxy: String?

    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file instead of the system store.", valueName: "file"))
    var cacert: String?

    /// `--cacert` as the bytes the shell passed: keep `caFile` alive while the connection is used.
    func connection() throws(AgentError) -> (connection: NetworkImport.Connection, caFile: CommandLineBytes.Path?) {
        let caFile = try cacert.map { (value: String) throws(AgentError) in try CommandLineBytes.path(value) }
        return (.init(proxy: proxy, caFile: caFile?.path), caFile)
    }
}

/// `fetch URL [--proxy URL] [--cacert FILE] [--replace]`: the Licensing tool's download.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download one license file over https, http, ftp, ftps or file, then import it.",
        discussion: """
            https certificates are verified; at most 5 redirects, 64 KiB and 30 seconds. Plain http and \
            ftp are accepted with a note: the license's signature, not the transport, makes it \
            trustworthy. The download runs in a helper process as the unprivileged user license-agent \
            (nobody in a development tree): a file: URL naming a file only root can read cannot be \
            fetched; use `import` for local files. Exit 0 when the license was installed or was \
            already present, 2 when it was refused, 1 on error.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var importOptions: ImportOptions
    @OptionGroup var connectionOptions: ConnectionOptions

    @Argument(help: ArgumentHelp("Where the license file is (https://, http://, ftp://, ftps://, file://).", valueName: "url"),
              transform: CommandLineBytes.text)
    var url: String

    func validate() throws {
        guard let scheme = URLText.scheme(of: url), ["https", "http", "ftp", "ftps", "file"].contains(scheme) else {
            throw ValidationError("The URL must start with https://, http://, ftp://, ftps:// or file://.")
        }
    }

    func run() throws {
        try runReporting(json: options.json) {
            if let note = URLText.transportNote(for: url) { writeToStandardError(note) }
            let (connection, caFile) = try connectionOptions.connection()
            let outcome = try withExtendedLifetime(caFile) { () throws(AgentError) in
                try NetworkImport(layout: options.layout).fetch(url: url, connection: connection, replace: importOptions.replace)
            }
            printImport(outcome, json: options.json)
            ReportAfterChange.run(layout: options.layout, changed: outcome.changedTheSet, verbose: options.verbose)
            return outcome.exitStatus
        }
    }
}

/// `activate --evaluation --email E --name N --company C --accept-terms [--server URL]`: the
/// setup assistant's "Activate your IGEL OS" step. Every field is required.
struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Request a 90-day evaluation license for this unit and install it.",
        discussion: """
            Only on a fresh device: one not registered with a UMS (system.remotemanager.server) and \
            holding no base license (PAS, WE, WE-E); otherwise exit 2 with the reason. Writes \
            /license/fetch.req, posts the request to {server}/v1/evaluation (https only) with \
            "termsAccepted": true and installs the license the server returns; fetch.req is removed \
            once it is installed. Exit 0 installed, 2 refused, 1 error (fetch.req then stays).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var connectionOptions: ConnectionOptions

    @Flag(help: "Request an evaluation license (the only kind that can be requested here).")
    var evaluation = false

    @Option(help: "The administrator's e-mail address.", transform: CommandLineBytes.text)
    var email: String

    @Option(help: "The administrator's name.", transform: CommandLineBytes.text)
    var name: String

    @Option(help: "The company.", transform: CommandLineBytes.text)
    var company: String

    @Flag(help: "The user accepted the terms and the privacy policy (sent as \"termsAccepted\": true).")
    var acceptTerms = false

    @Option(help: ArgumentHelp("License server base URL (default: server_url= in agent.conf).", valueName: "url"),
            transform: CommandLineBytes.text)
    var server: String?

    func validate() throws {
        guard evaluation else { throw ValidationError("Only --evaluation activation is supported; add --evaluation.") }
        guard email.contains("@"), !email.contains(where: \.isWhitespace) else {
            throw ValidationError("--email needs an e-mail address.")
        }
        guard !name.trimmingASCIIWhitespace().isEmpty else { throw ValidationError("--name must not be empty.") }
        guard !company.trimmingASCIIWhitespace().isEmpty else { throw ValidationError("--company must not be empty.") }
        guard acceptTerms else {
            throw ValidationError("--accept-terms is required: the evaluation is requested only once the user accepted the terms and the privacy policy.")
        }
    }

    func run() throws {
        try runReporting(json: options.json) {
            let request = NetworkImport.EvaluationRequest(email: email, name: name.trimmingASCIIWhitespace(),
                                                          company: company.trimmingASCIIWhitespace(),
                                                          termsAccepted: acceptTerms)
            let (connection, caFile) = try connectionOptions.connection()
            let outcome = try withExtendedLifetime(caFile) { () throws(AgentError) in
                try NetworkImport(layout: options.layout).activate(request, server: server, connection: connection)
            }
            printImport(outcome, json: options.json)
            return outcome.exitStatus
        }
    }
}
