import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `import-usb [--device DEV | --dir DIR] [--wait SECONDS] [--replace]`: imports the `.lic`
/// files at the top of a USB stick, mounted read-only in a private directory.
struct USBImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-usb",
        abstract: "Import the license files from a USB stick.",
        discussion: """
            Finds USB storage with libudev (or takes --device, or an already mounted --dir), mounts \
            each filesystem read-only with nosuid,nodev,noexec, imports the *.lic files in its top \
            directory and unmounts it. Symlinks, FIFOs, devices and oversize files are skipped with a \
            reason. Exit 0 when at least one license was installed or was already present, 2 when \
            every file was refused or none was found, 1 on error (e.g. no stick).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var importOptions: ImportOptions

    @Option(help: ArgumentHelp("Mount and read this block device instead of searching (e.g. /dev/sdb1).", valueName: "dev"))
    var device: String?

    @Option(help: ArgumentHelp("Read this directory (an already mounted stick); nothing is mounted.", valueName: "dir"))
    var dir: String?

    @Option(help: ArgumentHelp("When no stick is present, wait up to this many seconds for one.", valueName: "seconds"))
    var wait: Double?

    func validate() throws {
        if device != nil && dir != nil { throw ValidationError("Give either --device or --dir, not both.") }
        if let wait {
            guard wait > 0, wait <= 86_400 else { throw ValidationError("--wait takes a number of seconds from 0 to 86400.") }
            guard device == nil && dir == nil else { throw ValidationError("--wait applies only to searching for a stick.") }
        }
    }

    func run() throws {
        try runReporting(json: options.json) {
            // --device as the bytes the shell passed, kept open while the import uses it.
            let node = try device.map { (value: String) throws(AgentError) in try CommandLineBytes.path(value) }
            let source: USBImport.Source = node.map { .device($0.path) } ?? dir.map { .directory(CommandLineBytes.bytes($0)) } ?? .scan
            let outcome = try withExtendedLifetime(node) { () throws(AgentError) in
                try USBImport(layout: options.layout)
                    .run(source: source, waitSeconds: wait, options: .init(replace: importOptions.replace, action: "import-usb"))
            }
            printImport(outcome, json: options.json)
            ReportAfterChange.run(layout: options.layout, changed: outcome.changedTheSet, verbose: options.verbose)
            return outcome.exitStatus
        }
    }
}
