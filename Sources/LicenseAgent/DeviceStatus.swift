import LicensePolicy

/// What `status` and `check` show: the device report plus the state around it — the frozen
/// configuration, the assigned removal profile — and every warning, most urgent first.
public struct DeviceStatus: Sendable {
    public let report: DeviceReport
    public let configuration: ConfigurationState
    public let removalProfile: RemovalProfileSummary?
    public let warnings: [Warning]

    public init(report: DeviceReport, configuration: ConfigurationState, removalProfile: RemovalProfileSummary?,
                extraWarnings: [Warning] = []) {
        self.report = report
        self.configuration = configuration
        self.removalProfile = removalProfile
        var warnings = extraWarnings + report.warnings
        if configuration.frozen {
            let expired = configuration.pasExpired.map { " on \($0)" } ?? ""
            warnings.append(Warning(code: .configurationFrozen, product: "PAS",
                                    message: "The configuration is frozen: the PAS subscription expired\(expired). Settings changes are refused and reverted; import a renewed PAS license to lift the freeze."))
        }
        self.warnings = warnings
    }

    /// The read-only report `status` prints (for `day`, when given).
    public static func current(layout: DeviceLayout, at day: CalendarDay? = nil) throws(AgentError) -> DeviceStatus {
        let report = try DeviceInspector(layout: layout).inspect(at: day)
        return DeviceStatus(report: report, configuration: try ConfigurationGuard(layout: layout).state(),
                            removalProfile: RemovalProfiles(layout: layout).summary(of: report))
    }

    public var document: StatusDocument {
        StatusDocument(report: report, configuration: configuration, removalProfile: removalProfile, warnings: warnings)
    }

    public var text: String { StatusText.render(self) }
}
