/// The state of one product pack on this device (ENTITLEMENTS.md "Product state", "Renewals").
///
/// Derived from the counted licenses of that product: the latest `expires` among the
/// licenses active today decides; a renewal that is not yet valid takes over on its start day.
/// A renewal that starts no later than the day after the running license ends **continues**
/// it (the source back-dates a renewal to the expiration date): the product is judged by the
/// end of the continued run, so it is `active`, not `expiring`, and nothing needs renewing.
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
    /// The end of the deciding license: the running one while active, not of its renewals.
    public let expires: CalendarDay
    /// Days from today to `expires` while active or expiring; nil otherwise.
    public let daysLeft: Int?
    /// The last day of the run that installed renewals continue without a gap, when at least one
    /// does (ENTITLEMENTS.md "Renewals"); nil when no installed renewal continues this product.
    public let continuedUntil: CalendarDay?
    /// The start day of the next installed license of this product that does **not** continue
    /// it (a renewal that leaves a gap after `expires`); nil when there is none.
    public let renewalAfterGap: CalendarDay?

    public init(product: String, state: State, model: LicenseDocument.Model,
                starts: CalendarDay, expires: CalendarDay, daysLeft: Int?,
                continuedUntil: CalendarDay? = nil, renewalAfterGap: CalendarDay? = nil) {
        self.product = product
        self.state = state
        self.model = model
        self.starts = starts
        self.expires = expires
        self.daysLeft = daysLeft
        self.continuedUntil = continuedUntil
        self.renewalAfterGap = renewalAfterGap
    }

    /// Active today, whether or not expiry is near.
    public var isActive: Bool { state == .active || state == .expiring }

    /// The last day this product runs without a gap: the continued end, else `expires`.
    public var runsUntil: CalendarDay { continuedUntil ?? expires }

    /// Running out with no continuing renewal installed: `expiring` or `expired`. The fact
    /// `deploy` asks the UMS on (DELIVERY.md steps 2 and 3); a continued product is `active`.
    public var needsRenewal: Bool { state == .expiring || state == .expired }

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
        let future = licenses.filter { today < $0.starts }.sorted { ($0.starts, $0.expires) < ($1.starts, $1.expires) }
        if let active = licenses.filter({ $0.starts <= today && today <= $0.expires }).max(by: byLatestExpiry) {
            let run = Run(from: active.expires, renewals: future)
            let left = active.expires - today
            return ProductStatus(product: product,
                                 state: run.end - today <= expiringWindowDays ? .expiring : .active,
                                 model: active.model, starts: active.starts, expires: active.expires,
                                 daysLeft: left, continuedUntil: run.end > active.expires ? run.end : nil,
                                 renewalAfterGap: run.nextAfterGap)
        }
        if let expired = licenses.filter({ $0.expires < today }).max(by: byLatestExpiry) {
            return ProductStatus(product: product, state: .expired, model: expired.model,
                                 starts: expired.starts, expires: expired.expires, daysLeft: nil,
                                 renewalAfterGap: future.first?.starts)
        }
        // Only future licenses remain: the one that starts first is what the device waits for.
        let next = licenses.min { ($0.starts, $0.expires) < ($1.starts, $1.expires) }!
        return ProductStatus(product: product, state: .notYetValid, model: next.model,
                             starts: next.starts, expires: next.expires, daysLeft: nil)
    }

    /// How far not-yet-valid renewals carry a license that runs until `end`: each one that
    /// starts no later than the day after the run's current end extends it (renewals chain).
    struct Run {
        private(set) var end: CalendarDay
        /// The first renewal past the run's end that starts after a gap.
        private(set) var nextAfterGap: CalendarDay?

        /// - Parameter renewals: the not-yet-valid licenses, by start day.
        init(from end: CalendarDay, renewals: [LicenseDocument]) {
            self.end = end
            for renewal in renewals where self.end < renewal.expires {
                guard renewal.starts <= self.end.adding(days: 1) else {
                    nextAfterGap = renewal.starts
                    return
                }
                self.end = renewal.expires
            }
        }
    }
}
