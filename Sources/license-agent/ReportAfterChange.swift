import CommandReporting
import LicenseAgent
import LicensePolicy

/// The report that follows a change of the license set (DELIVERY.md "License information back
/// to the UMS"): `import`, `import-usb`, `fetch`, `remove`, `profiles run` and `deploy` call it
/// once their result is printed, with `changed` true when the set changed.
///
/// Best effort with `--if-changed` semantics: it never changes the command's output or exit
/// status. Its failure is one line on stderr with `--verbose`, nothing otherwise (the report
/// after the next boot check, or the next change, tells the UMS). Its transfer waits at most
/// `timeoutSeconds`, so that a UMS that is down costs the administrator little.
enum ReportAfterChange {
    /// The limit of this report's transfer: a UMS on the device's network answers within it.
    static let timeoutSeconds = 5

    static func run(layout: DeviceLayout, changed: Bool, verbose: Bool) {
        guard changed else { return }
        do {
            let outcome = try LicenseReport(layout: layout).run(ifChanged: true, timeoutSeconds: timeoutSeconds)
            if outcome.exitStatus != 0, verbose { writeToStandardError("Report to the management server skipped: \(outcome.detail)", priority: .notice) }
        } catch {
            if verbose { writeToStandardError("Report to the management server failed (the change stands): \(error.sentence)", priority: .notice) }
        }
    }
}

extension LicenseImport.Outcome {
    /// A license was installed or an old one removed: the set the UMS knows is not this one.
    var changedTheSet: Bool { results.contains { $0.installedAs != nil } || !removed.isEmpty }
}
