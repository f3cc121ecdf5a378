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

    /// Whether the suppression key is honoured on this device: on a version inside the window,
    /// or when no version was stated; a version that cannot be read ignores it (fail closed:
    /// the warnings are shown).
    public static func suppressionKeyExists(generation: OSGeneration, version: OSVersionReading) -> Bool {
        guard let window = suppressionKeyVersions[generation] else { return true }
        switch version {
        case .read(let version): return window.contains(version)
        case .unreadable: return false
        case .unstated: return true
        }
    }

    public static func warnings(for products: [ProductStatus], empNotificationsEnabled: Bool) -> [Warning] {
        products.compactMap { status -> Warning? in
            if !empNotificationsEnabled && suppressibleByNotificationSetting.contains(status.product) { return nil }
            return warning(for: status)
        }
    }

    /// What to order instead of an evaluation that ended, by product: a second evaluation is
    /// not possible on the device (`activate` refuses it), so the advice names a license that
    /// can be obtained. A product not listed: a license of that product.
    public static let orderAfterEvaluation: [String: [String]] = [
        "WE-E": ["WE", "PAS"],
    ]

    /// The warning one product deserves, if any.
    ///
    /// A product continued by an installed renewal is `active` and gets none; an `expiring` one
    /// whose installed renewal leaves a gap says when the gap is (ENTITLEMENTS.md "Renewals").
    public static func warning(for status: ProductStatus) -> Warning? {
        let product = status.product
        switch status.state {
        case .active, .notYetValid:
            return nil
        case .expiring:
            let end = status.runsUntil
            let left = (status.daysLeft ?? 0) + (end - status.expires)
            let when = left == 0 ? "today" : left == 1 ? "tomorrow (1 day left)" : "on \(end) (\(left) days left)"
            let license = status.continuedUntil == nil ? "license" : "license, with the renewal installed,"
            let after = status.model == .perpetual ? "maintenance ends" : "its features stop"
            let advice: String
            if let next = status.renewalAfterGap {
                let stops = status.model == .perpetual ? "maintenance lapses" : "\(product) stops"
                advice = "The installed renewal starts only on \(next), so \(stops) from \(end.adding(days: 1)) to \(next.adding(days: -1)). Order a renewal that starts by \(end.adding(days: 1)) (a renewal is back-dated to the expiry date) and import it."
            } else {
                advice = "Order a renewal and import it, or have the UMS deploy it."
            }
            return Warning(code: .expiring, product: product,
                           message: "The \(product) \(license) expires \(when); after that \(after). \(advice)")
        case .expired where status.model == .perpetual:
            let advice = status.renewalAfterGap.map { "The installed renewal restores it on \($0)." }
                ?? "Import a renewed license to restore maintenance."
            return Warning(code: .maintenanceExpired, product: product,
                           message: "The \(product) maintenance ended on \(status.expires): the product still works, but updates released after that day cannot be installed. \(advice)")
        case .expired where status.model == .evaluation:
            let order = EntitlementTable.spoken(orderAfterEvaluation[product] ?? [product])
            return Warning(code: .expired, product: product,
                           message: "The \(product) evaluation ended on \(status.expires): an evaluation grants nothing after it ends, and a second evaluation is not possible on this device. Order a \(order) license and import it (license-agent import FILE), or have the UMS deploy it.")
        case .expired:
            let advice = status.renewalAfterGap.map { "The installed renewal starts on \($0); until then they stay unavailable." }
                ?? "Order a renewal and import it, or have the UMS deploy it."
            return Warning(code: .expired, product: product,
                           message: "The \(product) \(status.model.rawValue) license expired on \(status.expires): the features that need it active are no longer available. \(advice)")
        }
    }
}
