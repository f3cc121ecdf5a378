import ArgumentParser
import CommandReporting
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
            let status = try DeviceStatus.current(layout: options.layout, at: at)
            print(options.json ? JSONOutput.string(status.document) : status.text)
            return status.report.licensed ? 0 : 2
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
            let status = try BootCheck(layout: options.layout).run()
            if options.json {
                print(JSONOutput.string(status.document))
            } else {
                let report = status.report
                for warning in status.warnings {
                    print(JournalStream.standardOutput.formatted("WARNING (\(warning.code.rawValue)): \(warning.message)", priority: .warning))
                }
                let counted = report.licenses.filter { $0.verdict == .valid }.count
                print("\(report.licensed ? "Licensed" : "NOT licensed"): unit \(report.unit?.value ?? "unknown"), "
                      + "\(counted) of \(report.licenses.count) license file(s) valid, IGEL OS \(report.generation.rawValue).")
            }
            return status.report.licensed ? 0 : 2
        }
    }
}

extension CalendarDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
