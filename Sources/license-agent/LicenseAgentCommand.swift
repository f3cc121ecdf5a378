import ArgumentParser
import CommandReporting
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
            Every command takes --root DIR (every path is resolved under it; default /), \
            --json and --verbose, before or after the command name. \
            `license-agent --version` prints the agent's version.
            """,
        subcommands: [StatusCommand.self, CheckCommand.self, UnitIDCommand.self, ImportCommand.self,
                      USBImportCommand.self, FetchCommand.self, DeployCommand.self, ActivateCommand.self,
                      ProfilesCommand.self, RemoveCommand.self,
                      FeaturesCommand.self, AllowsCommand.self, MayUpdateCommand.self, ConfigCommand.self])

    /// Accepts the global options before the subcommand too (`license-agent --root R status`),
    /// as CLI.md writes them, by moving them behind the subcommand name before parsing.
    ///
    /// libcrypto is set up first (`ProcessStartup`); `--version` alone prints the version — it
    /// is answered here rather than through the parser's `version:`, which also claims
    /// `--version` after a subcommand whenever that command's parsing fails, and `may-update`
    /// has an option of that name —; and the boot invocations skip the parser (`BootDispatch`).
    ///
    /// The arguments are `argv` as the kernel passed it (`CommandLineBytes.commandLine`), never a reading of
    /// `/proc`, which Swift's `CommandLine` needs on Linux. No arguments at all is a usage error
    /// (exit 64) with the parser's usage text: a caller that lost its arguments on the way must
    /// not be told "success".
    static func main() {
        let arguments = CommandLineBytes.commandLine
        ProcessStartup.prepare()
        if arguments.isEmpty {
            exit(withError: ValidationError("No command was given. Name one, for example `license-agent status`."))
        }
        if arguments == ["--version"] {
            Console.write(BuildInfo.version)
            return
        }
        BootDispatch.runIfBootInvocation(arguments)
        main(GlobalOptions.movingLeadingOptions(arguments))
    }
}

/// Options every subcommand takes (CLI.md "Global options").
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resolve every device path under this directory.", valueName: "dir"),
            completion: .directory)
    var root: String = "/"

    @Flag(help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(help: "Explain each step on stderr.")
    var verbose = false

    /// `--root` as the bytes the shell passed (`root` is Swift's decoding of them, which
    /// repairs what is not UTF-8): CLI.md "File names, output and secrets".
    var rootBytes: [UInt8] { CommandLineBytes.option("--root", root) }

    /// The layout under `--root`; `validate()` has made sure it is an existing directory (one
    /// removed since is then looked for under its decoded name, and found missing).
    var layout: DeviceLayout { (try? DeviceLayout(rootBytes: rootBytes)) ?? DeviceLayout(root: root) }

    /// Runs once per process, right after parsing and before the command: sets up `--verbose`
    /// and refuses a `--root` that is not an existing directory (a typo must not become a new
    /// device tree: CLI.md "Setup problems are named").
    mutating func validate() throws {
        AgentLog.configure(verbose: verbose, journal: JournalStream.standardError.isJournal)
        guard DeviceLayout.isExistingDirectory(rootBytes) else {
            throw ValidationError("--root \(DisplayText.escaping(rootBytes)) is not an existing directory.")
        }
    }

    /// `arguments` with global options that precede the subcommand moved behind it.
    static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" || first == "--verbose" {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--root", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--root=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard let command = rest.first, !leading.isEmpty, !command.hasPrefix("-") else { return arguments }
        // Nested commands (`profiles run`, `config apply`) take the options after their last word.
        var words = [command]
        rest = rest.dropFirst()
        if ["profiles", "config"].contains(command), let sub = rest.first, !sub.hasPrefix("-") {
            words.append(sub)
            rest = rest.dropFirst()
        }
        return words + leading + rest
    }
}
