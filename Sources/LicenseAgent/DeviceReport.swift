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
    /// One verdict per `.lic` file, in file-name order.
    public let licenses: [LicenseEvaluation.Report]
    public let products: [ProductStatus]
    public let entitlements: Entitlements
    /// Warnings, most urgent first.
    public let warnings: [Warning]

    public var licensed: Bool { entitlements.licensed }

    /// The status of `product`, if the device has a counted license for it.
    public func product(_ code: String) -> ProductStatus? { products.first { $0.product == code } }
}
