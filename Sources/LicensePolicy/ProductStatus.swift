/// The state of one product pack on this device (ENTITLEMENTS.md "Product state").
///
/// Derived from the counted licenses of that product: the latest `expires` among the
/// licenses active today decides; a renewal that is not yet valid takes over on its start day.
public struct ProductStatus: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case active
        case expiring
        case expired
        case notYetValid = "not-yet-valid"
    }

    /// Days before expiry from which a product is `expiring` (the last day counts as 0 left).
    public static let expiringWindowDays = 30

    public let product: String
    public let state: State
    /// The license model of the deciding license (perpetual products keep working after expiry).
    public let model: LicenseDocument.Model
    public let starts: CalendarDay
    public let expires: CalendarDay
    /// Days from today to `expires` while active or expiring; nil otherwise.
    public let daysLeft: Int?

    public init(product: String, state: State, model: LicenseDocument.Model,
                starts: CalendarDay, expires: CalendarDay, daysLeft: Int?) {
        self.product = product
        self.state = state
        self.model = model
        self.starts = starts
        self.expires = expires
        self.daysLeft = daysLeft
    }

    /// Active today, whether or not expiry is near.
    public var isActive: Bool { state == .active || state == .expiring }

    /// One status per product code, sorted by code, from the counted licenses.
    ///
    /// A product with an expired license and a renewal starting later is `expired` until the
    /// renewal's start day: the device cannot use it today (README, "Decisions").
    public static func summarize(_ documents: [LicenseDocument], on today: CalendarDay) -> [ProductStatus] {
        Dictionary(grouping: documents, by: \.product)
            .map { product, licenses in status(of: product, licenses, on: today) }
            .sorted { $0.product < $1.product }
    }

    static func status(of product: String, _ licenses: [LicenseDocument], on today: CalendarDay) -> ProductStatus {
        let byLatestExpiry: (LicenseDocument, LicenseDocument) -> Bool = {
            ($0.expires, $0.starts) < ($1.expires, $1.starts)
        }
        if let active = licenses.filter({ $0.starts <= today && today <= $0.expires }).max(by: byLatestExpiry) {
            let left = active.expires - today
            return ProductStatus(product: product, state: left <= expiringWindowDays ? .expiring : .active,
                                 model: active.model, starts: active.starts, expires: active.expires,
                                 daysLeft: left)
        }
        if let expired = licenses.filter({ $0.expires < today }).max(by: byLatestExpiry) {
            return ProductStatus(product: product, state: .expired, model: expired.model,
                                 starts: expired.starts, expires: expired.expires, daysLeft: nil)
        }
        // Only future licenses remain: the one that starts first is what the device waits for.
        let next = licenses.min { ($0.starts, $0.expires) < ($1.starts, $1.expires) }!
        return ProductStatus(product: product, state: .notYetValid, model: next.model,
                             starts: next.starts, expires: next.expires, daysLeft: nil)
    }
}
