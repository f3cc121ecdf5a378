/// Is the device licensed at all? (ENTITLEMENTS.md "Base license".)
///
/// A list of grants, each a product and in which of its states it makes the device
/// licensed; the first grant that holds decides. Kept as data beside each generation's
/// table so that a new base product is a new grant, not a new branch.
///
/// "Evaluations end" holds for every grant: an expired license of model `evaluation` (the
/// 90-day demo, `WE-E` on OS 11 or the evaluation `PAS` on OS 12) never keeps the device
/// licensed, so an expired evaluation PAS leaves no reduced rights and no frozen configuration.
public struct BaseLicenseRule: Sendable, Equatable {
    /// When an expired license of the product still counts as a base license.
    public enum WhenExpired: Sendable, Equatable {
        /// Never: only an active license counts (WE-E).
        case never
        /// Always, unless it was an evaluation: the device keeps running with reduced rights
        /// (PAS; WE, whether perpetual with ended maintenance or sold as the "IGEL OS 11
        /// subscription": "Use IGEL OS 11 ✓" after expiry).
        case always
    }

    /// One product that can license the device.
    public struct Grant: Sendable, Equatable {
        public let product: String
        public let whenExpired: WhenExpired

        public init(_ product: String, whenExpired: WhenExpired) {
            self.product = product
            self.whenExpired = whenExpired
        }

        func holds(_ status: ProductStatus) -> Bool {
            switch status.state {
            case .active, .expiring: return true
            case .notYetValid: return false
            case .expired:
                guard status.model != .evaluation else { return false }
                return whenExpired == .always
            }
        }
    }

    /// The outcome: licensed, or why not.
    public struct Outcome: Sendable, Equatable {
        public let licensed: Bool
        /// Why the device is unlicensed (e.g. "no PAS license", "WE-E evaluation ended on 2026-10-31").
        public let reason: String?
    }

    public let grants: [Grant]

    public init(_ grants: [Grant]) { self.grants = grants }

    /// True when a base-license product is `active`: more than 30 days left, or continued by
    /// an installed renewal (ENTITLEMENTS.md "Renewals"). DELIVERY.md step 3 asks the UMS when
    /// the device is unlicensed or its base license is expiring or expired.
    func isCurrent(_ products: ProductIndex) -> Bool {
        grants.contains { products[$0.product]?.state == .active }
    }

    func evaluate(_ products: ProductIndex) -> Outcome {
        let held = grants.compactMap { grant in products[grant.product].map { (grant, $0) } }
        if held.contains(where: { grant, status in grant.holds(status) }) {
            return Outcome(licensed: true, reason: nil)
        }
        let expired = held.filter { $0.1.state == .expired }.map { EntitlementTable.ended($0.1) }
        if !expired.isEmpty { return Outcome(licensed: false, reason: expired.joined(separator: " and ")) }
        if let pending = held.map(\.1).filter({ $0.state == .notYetValid }).min(by: { $0.starts < $1.starts }) {
            return Outcome(licensed: false, reason: "\(pending.product) starts on \(pending.starts)")
        }
        return Outcome(licensed: false,
                       reason: "no \(EntitlementTable.spoken(grants.map(\.product))) license")
    }
}
