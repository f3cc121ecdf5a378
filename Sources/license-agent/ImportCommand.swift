import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `import FILE… [--replace]`: the rescue-shell path. Needs no udev daemon and no network.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify license files and install the good ones on /license.",
        discussion: """
            Replaces the manual rescue-shell procedure safely. Exit 0 when at least one license was \
            installed or was already present, 2 when every file was refused, 1 on error.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var importOptions: ImportOptions

    @Argument(help: ArgumentHelp("License files (.lic).", valueName: "file"), completion: .file())
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Name at least one license file.") }
        if let url = files.first(where: { $0.contains("://") }) {
            throw ValidationError("\(url) is a URL: `import` reads local files; to download a license, use `license-agent fetch \(url)`.")
        }
    }

    func run() throws {
        try runReporting(json: options.json) {
            let outcome = try LicenseImport(layout: options.layout)
                .run(LicenseImport.localCandidates(arguments: files), options: .init(replace: importOptions.replace))
            printImport(outcome, json: options.json)
            ReportAfterChange.run(layout: options.layout, changed: outcome.changedTheSet, verbose: options.verbose)
            return outcome.exitStatus
        }
    }
}

/// Options shared by every import path.
struct ImportOptions: ParsableArguments {
    @Flag(help: "Remove the old licenses and request files, but only once a new license is installed.")
    var replace = false
}

/// Prints an import outcome as JSON or as lines for the administrator, and warns when the
/// change happened but its audit line is missing (the exit code stays the change's).
func printImport(_ outcome: LicenseImport.Outcome, json: Bool) {
    Console.write(json ? JSONOutput.string(ImportDocument(outcome)) : ImportDocument.text(outcome))
    if let failure = outcome.auditFailure { warnAuditMissing(failure) }
}

/// The warning for a change whose audit line could not be written.
func warnAuditMissing(_ failure: AgentError) {
    writeToStandardError("WARNING (audit-incomplete): the change was made, but its audit line is missing: \(failure.sentence)")
}
