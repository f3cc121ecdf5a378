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
    }

    func run() throws {
        try runReporting {
            let outcome = try LicenseImport(layout: options.layout)
                .run(files.map(LicenseImport.candidate(path:)), options: .init(replace: importOptions.replace))
            printImport(outcome, json: options.json)
            return outcome.exitStatus
        }
    }
}

/// Options shared by every import path.
struct ImportOptions: ParsableArguments {
    @Flag(help: "Remove the old licenses and request files, but only once a new license is installed.")
    var replace = false
}

/// Prints an import outcome as JSON or as lines for the administrator.
func printImport(_ outcome: LicenseImport.Outcome, json: Bool) {
    print(json ? JSONOutput.string(ImportDocument(outcome)) : ImportDocument.text(outcome))
}
