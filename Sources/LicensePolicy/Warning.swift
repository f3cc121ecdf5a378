/// A warning shown in `status` and `check` (CLI.md keys `warnings[].code/product/message`).
public struct Warning: Sendable, Equatable, Codable {
    public enum Code: String, Sendable, Codable {
        case expiring
        case expired
        case maintenanceExpired = "maintenance-expired"
        case clockRollback = "clock-rollback"
        case unitChanged = "unit-changed"
        case profileRefused = "profile-refused"
        case configurationFrozen = "configuration-frozen"
    }

    public let code: Code
    public let product: String?
    public let message: String

    public init(code: Code, product: String? = nil, message: String) {
        self.code = code
        self.product = product
        self.message = message
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(product, forKey: .product)
        try container.encode(message, forKey: .message)
    }
}
