import LicensePlatform
import LicensePolicy

/// The audit lines of one `deploy` run, written as things happen.
///
/// The audit log is never a reason to stop (DELIVERY.md step 2, CLI.md "Audit log"): a line
/// that cannot be written is kept as the `audit-incomplete` warning, and the run goes on to
/// install what it downloaded, exactly as `import` does. One warning per run, for the first
/// failure: the next ones say the same.
final class AuditTrail {
    private let log: AuditLog
    private let clock: Timestamp
    private var failure: AgentError?

    init(layout: DeviceLayout, clock: Timestamp) {
        log = AuditLog(layout: layout)
        self.clock = clock
    }

    /// One `deploy` line: the link's host, and what happened.
    func line(_ outcome: String, link: String?, detail: String) {
        let host = link.flatMap { URLParts($0)?.host }
        if let failed = log.record(.init(time: clock, action: "deploy", files: link.map { [Credentials.redacted($0)] } ?? [],
                                         outcome: outcome, detail: (host.map { "host \($0); " } ?? "") + detail)) {
            self.failed(failed)
        }
    }

    /// A line written elsewhere (the import's own) that failed.
    func failed(_ error: AgentError) {
        if failure == nil { failure = error }
    }

    /// The `audit-incomplete` warning, when a line is missing.
    var warnings: [String] {
        failure.map { ["WARNING (audit-incomplete): an audit line of this run is missing: \($0.sentence)"] } ?? []
    }
}
