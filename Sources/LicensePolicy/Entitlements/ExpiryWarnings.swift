/// The expiry warnings of ENTITLEMENTS.md: `expiring`, `expired`, `maintenance-expired`,
/// one a product, and the EMP suppression switch.
///
/// `clock-rollback` and `unit-changed` are about the device, not a product; the agent's
/// core adds those. Which products a settings switch silences is data, like the tables.
public enum ExpiryWarnings {
    /// Products whose warnings are silenced when the settings file holds
    /// `userinterface.license_notification.enable_enterprise_management_notification=false`.
    public static let suppressibleByNotificationSetting: Set<String> = ["EMP"]

    public static func warnings(for products: [ProductStatus], empNotificationsEnabled: Bool) -> [Warning] {
        products.compactMap { status -> Warning? in
            if !empNotificationsEnabled && suppressibleByNotificationSetting.contains(status.product) { return nil }
            return warning(for: status)
        }
    }

    /// The warning one product deserves, if any.
    public static func warning(for status: ProductStatus) -> Warning? {
        let product = status.product
        switch status.state {
        case .active, .notYetValid:
            return nil
        case .expiring:
            let left = status.daysLeft ?? 0
            let when = left == 0 ? "today" : left == 1 ? "tomorrow (1 day left)" : "on \(status.expires) (\(left) days left)"
            let after = status.model == .perpetual
                ? "maintenance ends" : "its features stop"
            return Warning(code: .expiring, product: product,
                           message: "The \(product) license expires \(when); after that \(after). Order a renewal and import it.")
        case .expired where status.model == .perpetual:
            return Warning(code: .maintenanceExpired, product: product,
                           message: "The \(product) maintenance ended on \(status.expires): the product still works, but updates released after that day cannot be installed. Import a renewed license to restore maintenance.")
        case .expired:
            return Warning(code: .expired, product: product,
                           message: "The \(product) \(status.model.rawValue) license expired on \(status.expires): the features it granted are no longer available. Import a renewed license.")
        }
    }
}
