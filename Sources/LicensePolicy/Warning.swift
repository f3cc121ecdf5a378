/// A warning shown in `status` and `check` (CLI.md keys `warnings[].code/product/message`).
public struct Warning: Sendable, Equatable, Encodable {
    public enum Code: String, Sendable, Encodable {
        case expiring
        case expired
        case maintenanceExpired = "maintenance-expired"
        /// An OS 11 `VERSION_ID` that cannot be read: version-limited features are denied.
        case osVersionUnknown = "os-version-unknown"
        case clockRollback = "clock-rollback"
        case unitChanged = "unit-changed"
        case profileRefused = "profile-refused"
        /// A removal profile assigned after the configuration froze: it does not run (PROFILES.md).
        case profileFrozen = "profile-frozen"
        case configurationFrozen = "configuration-frozen"
        case rebootRequired = "reboot-required"
        /// `/license` could not be made read-only again after a change (CLI.md "Read-only again").
        case licensePartitionWritable = "license-partition-writable"
        // Setup problems (CLI.md "Setup problems are named"): never disguised as "unlicensed".
        case keyringMissing = "keyring-missing"
        case keyringUnusable = "keyring-unusable"
        case crlUnusable = "crl-unusable"
        case licensePartitionMissing = "license-partition-missing"
        case unitIdMissing = "unit-id-missing"
        /// An auxiliary step failed; the entry in `errors[]` says which.
        case checkIncomplete = "check-incomplete"
        /// The audit line of a change that happened could not be written.
        case auditIncomplete = "audit-incomplete"

        /// A setup problem that makes `check` fail (exit 1): a device without usable trust
        /// anchors must not boot green.
        public var failsBootCheck: Bool { self == .keyringMissing || self == .keyringUnusable }
    }

    public let code: Code
    @ExplicitNull public var product: String?
    public let message: String

    public init(code: Code, product: String? = nil, message: String) {
        self.code = code
        self.product = product
        self.message = message
    }
}
