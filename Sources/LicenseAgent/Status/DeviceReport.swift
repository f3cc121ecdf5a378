import LicensePolicy

/// Everything `status` and `check` know about the device at one moment.
public struct DeviceReport: Sendable {
    public let unit: UnitID?
    public let generation: OSGeneration
    /// The raw system clock when the report was made.
    public let clock: Timestamp
    public let trustedTime: TrustedTime
    /// The day the report is for: trusted time's day, or the later day `status --at` asked for.
    public let today: CalendarDay
    /// One verdict per `.lic` file, in byte order of the names.
    public let licenses: [LicenseEvaluation.Report]
    public let products: [ProductStatus]
    public let entitlements: Entitlements
    /// Warnings, most urgent first: setup problems, then the device's, then the products'.
    public let warnings: [Warning]
    /// Failures around the verification that did not stop it (an unreadable settings or state
    /// file, a unit-ID source that failed): `check` lists them in `errors[]` and exits 1.
    public let problems: [AgentError]

    public var licensed: Bool { entitlements.licensed }

    /// The status of `product`, if the device has a counted license for it.
    public func product(_ code: String) -> ProductStatus? { products.first { $0.product == code } }
}
