import ArgumentParser
import LicenseAgent
import LicensePolicy

/// `status [--at DATE]`: the read-only report. Exit 0 licensed, 2 unlicensed.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Report the unit ID, every license's verdict, products, features and warnings.",
        discussion: "Changes nothing. Exit 0 when the device is licensed, 2 when it is not.")

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Evaluate a future day instead of today (YYYY-MM-DD).", valueName: "date"))
    var at: CalendarDay?

    func run() throws {
        try runReporting {
            let report = try DeviceInspector(layout: options.layout).inspect(at: at)
            let document = StatusDocument(report: report, configuration: .init(frozen: false, since: nil),
                                          removalProfile: nil)
            if options.json {
                print(JSONOutput.string(document))
            } else {
                print(StatusText.render(report, configuration: .init(frozen: false, since: nil), removalProfile: nil))
            }
            return report.licensed ? 0 : 2
        }
    }
}

/// `check`: the boot-time check. Exit 0 licensed, 2 unlicensed, 1 error.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "The boot-time check: enforce, verify, and publish /run/license-agent/state.json.",
        discussion: "Exit 0 when the device is licensed, 2 when it is not, 1 on error.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting {
            let outcome = try BootCheck(layout: options.layout).run()
            if options.json {
                print(JSONOutput.string(outcome.document))
            } else {
                let report = outcome.report
                for warning in report.warnings { print("WARNING (\(warning.code.rawValue)): \(warning.message)") }
                let counted = report.licenses.filter { $0.verdict == .valid }.count
                print("\(report.licensed ? "Licensed" : "NOT licensed"): unit \(report.unit?.value ?? "unknown"), "
                      + "\(counted) of \(report.licenses.count) license file(s) valid, IGEL OS \(report.generation.rawValue).")
            }
            return outcome.report.licensed ? 0 : 2
        }
    }
}

extension CalendarDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
