import ArgumentParser
import LicenseAgent
import LicensePolicy

/// `license-agent`: the on-device licensing agent. Each subcommand parses its arguments,
/// calls `LicenseAgent`, prints the result and maps failures to exit codes; nothing more.
@main
struct LicenseAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license-agent",
        abstract: "Verify, import and enforce IGEL OS licenses on this device.",
        discussion: """
            Exit codes: 0 success or licensed; 2 refused or unlicensed; 1 error; 64 usage error.
            Every path is resolved under --root (default /).
            """,
        subcommands: [])
}

/// Options every subcommand takes (CLI.md "Global options").
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resolve every device path under this directory.", valueName: "dir"))
    var root: String = "/"

    @Flag(help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(help: "Explain each step on stderr.")
    var verbose = false

    var layout: DeviceLayout { DeviceLayout(root: root) }
}
