/// A warning shown in `status` and `check` (CLI.md keys `warnings[].code/product/message`).
public struct Warning: Sendable, Equatable, Encodable {
    public enum Code: String, Sendable, Encodable {
        case expiring
        case expired
        case maintenanceExpired = "maintenance-expired"
        case clockRollback = "clock-rollback"
        case unitChanged = "unit-changed"
        case profileRefused = "profile-refused"
        case configurationFrozen = "configuration-frozen"
        case rebootRequired = "reboot-required"
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
