import LicensePlatform
import LicensePolicy

/// What `status` and `check` show: the device report plus the state around it — the frozen
/// configuration, the assigned removal profile — every warning, most urgent first, and the
/// failures of steps around the verification (`errors`).
public struct DeviceStatus: Sendable {
    public let report: DeviceReport
    public let configuration: ConfigurationState
    public let removalProfile: RemovalProfileSummary?
    public let warnings: [Warning]
    /// Steps that failed without stopping the answer: the report's problems and, for
    /// `check`, the removal profile, the state, the freeze and the audit log.
    public let errors: [AgentError]

    public init(report: DeviceReport, configuration: ConfigurationState, removalProfile: RemovalProfileSummary?,
                extraWarnings: [Warning] = [], errors: [AgentError] = []) {
        self.report = report
        self.configuration = configuration
        self.removalProfile = removalProfile
        // A profile that may not run (`profile-refused`, `profile-frozen`) warns in `status` and `check` alike.
        var warnings = (removalProfile?.warning).map { [$0] } ?? []
        warnings += extraWarnings + report.warnings
        if configuration.frozen {
            let expired = configuration.pasExpired.map { " on \($0)" } ?? ""
            warnings.append(Warning(code: .configurationFrozen, product: "PAS",
                                    message: "The configuration is frozen: the PAS subscription expired\(expired). Settings changes are refused and reverted; import a renewed PAS license to lift the freeze."))
        }
        self.warnings = warnings
        self.errors = report.problems + errors
    }

    /// The read-only report `status` prints (for `day`, when given).
    public static func current(layout: DeviceLayout, at day: CalendarDay? = nil) throws(AgentError) -> DeviceStatus {
        let report = try DeviceInspector(layout: layout).inspect(at: day)
        var errors: [AgentError] = []
        let configuration = ConfigurationState.read(layout: layout, errors: &errors)
        return DeviceStatus(report: report, configuration: configuration,
                            removalProfile: RemovalProfiles(layout: layout).summary(of: report), errors: errors)
    }

    /// A setup problem or a failed step: `check` exits 1 although it answered.
    public var isIncomplete: Bool { !errors.isEmpty || warnings.contains { $0.code.failsBootCheck } }

    public var document: StatusDocument {
        StatusDocument(report: report, configuration: configuration, removalProfile: removalProfile,
                       warnings: warnings, errors: errors)
    }

    public var text: String { StatusText.render(self) }
}

extension ConfigurationState {
    /// The configuration state from the freeze marker; when the marker cannot be read, the
    /// failure goes to `errors` and the configuration counts as frozen if a marker exists
    /// at all (the safe reading of a marker that is there but damaged).
    static func read(layout: DeviceLayout, errors: inout [AgentError]) -> ConfigurationState {
        let configurationGuard = ConfigurationGuard(layout: layout)
        do {
            return try configurationGuard.state()
        } catch {
            errors.append(error)
            let frozen = (try? OpenDirectory.open(configurationGuard.frozenDirectory)) ?? nil
            let markerExists = frozen?.size(of: ConfigurationGuard.markerName) != nil
            return ConfigurationState(frozen: markerExists, since: nil, snapshotDigest: nil, pasExpired: nil, action: .nothing)
        }
    }
}
