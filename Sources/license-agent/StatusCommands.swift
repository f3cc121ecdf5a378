import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `status [--at DATE]`: the read-only report. Exit 0 licensed, 2 unlicensed, 1 when something
/// it reports on could not be read (listed in `errors`).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Report the unit ID, every license's verdict, products, features and warnings.",
        discussion: "Changes nothing. Exit 0 when the device is licensed, 2 when it is not, 1 when something could not be read (listed under errors).")

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Evaluate a future day instead of today (YYYY-MM-DD).", valueName: "date"))
    var at: CalendarDay?

    func run() throws { try Self.run(layout: options.layout, json: options.json, at: at) }

    /// The command's body; `BootDispatch` calls it directly for the boot invocations.
    static func run(layout: DeviceLayout, json: Bool, at: CalendarDay?) throws {
        try runReporting(json: json) {
            let status = try DeviceStatus.current(layout: layout, at: at)
            Console.write(json ? JSONOutput.string(status.document) : status.text)
            // Something could not be read (a license file, sysfs, a state file): the report is
            // incomplete, and an error reading is never an answer (CLI.md): exit 1, as `check` does.
            if let first = status.errors.first {
                writeToStandardError("The report is incomplete (\(status.errors.count) error(s), listed in it): \(first.sentence)")
                return 1
            }
            return status.report.licensed ? 0 : 2
        }
    }
}

/// `check`: the boot-time check. Exit 0 licensed, 2 unlicensed, 1 when a step failed or the
/// setup is broken — the answer is in `state.json` all the same.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "The boot-time check: enforce, verify, and publish /run/license-agent/state.json.",
        discussion: """
            Always publishes an answer, also when a step around the verification fails (listed in \
            errors[] and as warnings on stderr). Exit 0 when the device is licensed, 2 when it is \
            not, 1 when a step failed, the keyring is missing or unusable, or the state could not be published.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws { try Self.run(layout: options.layout, json: options.json) }

    /// The command's body; `BootDispatch` calls it directly for the boot invocations.
    static func run(layout: DeviceLayout, json: Bool) throws {
        try runReporting(json: json) {
            let outcome = BootCheck(layout: layout).run()
            for error in outcome.errors {
                writeToStandardError("WARNING (\(error.code.rawValue)): \(error.sentence)", priority: .warning)
            }
            if let failure = outcome.publishFailure {
                writeToStandardError("The answer could not be published: \(failure.sentence)")
            }
            guard let status = outcome.status else {
                if json { Console.write(JSONOutput.string(StatusDocument.Unanswered(errors: outcome.errors))) }
                return outcome.exitStatus
            }
            if json {
                Console.write(JSONOutput.string(status.document))
            } else {
                let report = status.report
                for warning in status.warnings {
                    Console.write("WARNING (\(warning.code.rawValue)): \(warning.message)", priority: .warning)
                }
                let counted = report.licenses.filter { $0.verdict == .valid }.count
                Console.write("\(report.licensed ? "Licensed" : "NOT licensed"): unit \(report.unit?.value ?? "unknown"), "
                      + "\(counted) of \(report.licenses.count) license file(s) valid, IGEL OS \(report.generation.rawValue).")
            }
            return outcome.exitStatus
        }
    }
}

extension CalendarDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: CommandLineBytes.text(argument)) }
}
