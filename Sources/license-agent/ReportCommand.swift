import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `report [--if-changed]`: tells the UMS what licenses this device holds (DELIVERY.md "License
/// information back to the UMS"). Run by `license-agent-report.service` after the boot check,
/// after every change of the license set (best effort, `ReportAfterChange`), and when the UMS
/// asks for "Refresh license information".
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Send this device's license information to its management server (UMS).",
        discussion: """
            Posts the facts of status --json (unit ID, board serial number, products, license \
            verdicts, warning codes; never a secret) to {server}/v1/devices/{unitId}/license-info, \
            server being system.remotemanager.server in /wfs/group.ini, and records what the UMS \
            accepted in /wfs/license-agent/report.json. Exit 0 sent or nothing to send (no server), \
            1 when the UMS could not be reached or did not accept it (nothing changes on the device) \
            or the device has no unit ID.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Send nothing when the UMS has had these facts for less than 24 hours (after the boot check and changes).")
    var ifChanged = false

    func run() throws {
        try runReporting(json: options.json) {
            let outcome = try LicenseReport(layout: options.layout).run(ifChanged: ifChanged)
            if options.json {
                Console.write(JSONOutput.string(ReportAnswer(sent: outcome.sent, reason: outcome.reason)))
            } else if outcome.exitStatus == 0 {
                Console.write(outcome.detail)
            }
            if outcome.exitStatus != 0 { writeToStandardError(outcome.detail) }
            for warning in outcome.warnings { writeToStandardError(warning, priority: .warning) }
            return outcome.exitStatus
        }
    }
}

/// `report --json`: `{"schemaVersion":1,"sent":true|false,"reason":…}`.
struct ReportAnswer: Encodable {
    let schemaVersion = 1
    let sent: Bool
    let reason: String
}
