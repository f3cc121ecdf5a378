import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `deploy [--if-unlicensed]`: license delivery from the UMS (DELIVERY.md). Run by
/// `license-agent-deploy.path` when the settings change, once after the boot check, and by
/// the hourly timer with `--if-unlicensed`.
struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Download and install the license the management server (UMS) deployed, then reboot.",
        discussion: """
            Reads system.remotemanager.* from /wfs/group.ini. With a license_download_url, downloads it \\
            (a conditional request: an unchanged file is not downloaded again), verifies and adds it like \\
            import, and records it in /wfs/license-agent/deploy.json. Without a link, a registered device \\
            that is unlicensed (or whose base license is expiring or expired) asks the UMS: \\
            GET {server}/v1/devices/{unitId}/license. When a license was installed it writes \\
            /run/license-agent/reboot-required and runs reboot_command= of agent.conf (default \\
            `systemctl reboot`), unless system.remotemanager.prompt_user_on_actions=true leaves the \\
            restart to the user. Exit 0 installed or nothing to do, 2 refused, 1 error.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Do nothing unless the device is unlicensed or its base license is expiring or expired (the hourly timer).")
    var ifUnlicensed = false

    func run() throws {
        try runReporting(json: options.json) {
            let outcome = try LicenseDelivery(layout: options.layout).run(onlyWhenUnlicensed: ifUnlicensed)
            Console.write(options.json ? JSONOutput.string(DeliveryDocument(outcome)) : DeliveryDocument.text(outcome))
            for line in outcome.warnings + outcome.problems { writeToStandardError(line) }
            ReportAfterChange.run(layout: options.layout, changed: outcome.imported?.changedTheSet ?? false,
                                  verbose: options.verbose)
            return outcome.exitStatus
        }
    }
}
