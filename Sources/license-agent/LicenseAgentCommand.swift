import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

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
                      USBImportCommand.self, FetchCommand.self, DeployCommand.self, ReportCommand.self, ActivateCommand.self,
                      ProfilesCommand.self, RemoveCommand.self,
                      FeaturesCommand.self, AllowsCommand.self, MayUpdateCommand.self, ConfigCommand.self])

    /// Accepts the global options before the subcommand too (`license-agent --root R status`),
    /// as CLI.md writes them, by moving them behind the subcommand name before parsing
    /// (`GlobalOption.movingLeadingOptions`).
    ///
    /// libcrypto is set up first (`ProcessStartup`); `--version` alone prints the version — it
    /// is answered here rather than through the parser's `version:`, which also claims
    /// `--version` after a subcommand whenever that command's parsing fails, and `may-update`
    /// has an option of that name —; and the boot invocations skip the parser (`BootDispatch`).
    ///
    /// The arguments are `argv` as the kernel passed it (`CommandLineBytes.commandLine`), never a reading of
    /// `/proc`, which Swift's `CommandLine` needs on Linux, each spelled losslessly so that a
    /// parsed path is the bytes of its own argument. No arguments at all is a usage error
    /// (exit 64) with the parser's usage text: a caller that lost its arguments on the way must
    /// not be told "success".
    static func main() {
        let arguments = CommandLineBytes.commandLine
        ProcessStartup.prepare()
        if arguments.isEmpty {
            exit(reporting: ValidationError("No command was given. Name one, for example `license-agent status`."))
        }
        if arguments == ["--version"] {
            Console.write(BuildInfo.version)
            return
        }
        if arguments == [NetworkHelper.command] { NetworkHelper.serve() }
        BootDispatch.runIfBootInvocation(arguments)
        let parsing = GlobalOption.movingLeadingOptions(arguments)
        do {
            var command = try parseAsRoot(parsing)
            try command.run()
        } catch {
            exit(reporting: error)
        }
    }

    /// Prints what the parser makes of `error` and exits with its code, as the parser's own
    /// `main` and `exit(withError:)` do: help and other clean exits on stdout, usage errors on
    /// stderr. The arguments the text quotes read as Swift decodes them (`CommandLineBytes.text`),
    /// not in the lossless spelling the parser was given.
    static func exit(reporting error: Error) -> Never {
        let code = exitCode(for: error)
        let text = CommandLineBytes.text(fullMessage(for: error))
        if !text.isEmpty {
            if code.isSuccess {
                print(text)
            } else {
                fputs(text + "\n", stderr)
            }
        }
        terminate(code.rawValue)
    }
}

/// The C library's `exit`, which flushes stdout (a member named `exit` hides it in the type).
private func terminate(_ status: Int32) -> Never {
    exit(status)
}
