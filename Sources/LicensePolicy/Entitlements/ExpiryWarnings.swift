/// The expiry warnings of ENTITLEMENTS.md: `expiring`, `expired`, `maintenance-expired`,
/// one a product, and the EMP suppression switch.
///
/// `clock-rollback` and `unit-changed` are about the device, not a product; the agent's
/// core adds those. Which products a settings switch silences is data, like the tables.
public enum ExpiryWarnings {
    /// Products whose warnings are silenced when the settings file holds
    /// `userinterface.license_notification.enable_enterprise_management_notification=false`.
    public static let suppressibleByNotificationSetting: Set<String> = ["EMP"]

    /// Where the suppression key exists ("How Can I Suppress Enterprise Management Pack
    /// Expiration Warnings?": IGEL OS 11.06 and higher); a generation not listed has it on
    /// every version. On an earlier version the key is ignored.
    public static let suppressionKeyVersions: [OSGeneration: VersionWindow] = [
        .os11: VersionWindow(from: "11.06"),
    ]

    /// Whether the suppression key is honoured on this device (an unknown version: yes).
    public static func suppressionKeyExists(generation: OSGeneration, version: OSVersion?) -> Bool {
        guard let window = suppressionKeyVersions[generation], let version else { return true }
        return window.contains(version)
    }

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
        case .expired where status.model == .evaluation:
            return Warning(code: .expired, product: product,
                           message: "The \(product) evaluation ended on \(status.expires): an evaluation license grants nothing after it ends. Import a \(product) license to use the features again.")
        case .expired:
            return Warning(code: .expired, product: product,
                           message: "The \(product) \(status.model.rawValue) license expired on \(status.expires): the features it granted are no longer available. Import a renewed license.")
        }
    }
}
