/// What the device may do, from its products (ENTITLEMENTS.md): whether it is licensed,
/// a decision for every feature of its generation, and the expiry warnings.
///
/// The rules live in `EntitlementTable` (one table a generation); this type only applies
/// them, so that `status`, `features`, `allows` and `may-update` all give the same answer.
public struct Entitlements: Sendable, Equatable {
    /// One feature and whether it is allowed, with the reason when it is not (or the limit
    /// on an allowed one, e.g. "only releases before 2022-08-01 (WE expired on 2022-08-01)").
    public struct Decision: Sendable, Equatable {
        public let feature: String
        public let allowed: Bool
        public let reason: String?
        /// Set when the feature is allowed only for releases published before this day.
        public let releasedBefore: CalendarDay?

        public init(feature: String, allowed: Bool, reason: String?, releasedBefore: CalendarDay? = nil) {
            self.feature = feature
            self.allowed = allowed
            self.reason = reason
            self.releasedBefore = releasedBefore
        }
    }

    public let generation: OSGeneration
    /// The full OS version the rules were applied for; nil when the device does not say.
    public let version: OSVersion?
    public let licensed: Bool
    /// True when a base-license product is active with more than 30 days left; false when the
    /// device is unlicensed or its base license is expiring or expired (DELIVERY.md step 3).
    public let baseLicenseCurrent: Bool
    /// Why the device is unlicensed ("no PAS license"); nil when licensed.
    public let unlicensedReason: String?
    /// The product states the rules were applied to.
    public let products: [ProductStatus]
    /// Every feature name of the generation, allowed or not, in table order.
    public let features: [Decision]
    public let warnings: [Warning]

    /// Evaluates the table of `generation` on `today`, for the OS `version` when known (the
    /// version windows of OS 11; nil applies none). `empNotificationsEnabled` is false when the
    /// settings file switches EMP warnings off (honoured only where the key exists).
    public static func evaluate(generation: OSGeneration, version: OSVersion? = nil, products: [ProductStatus],
                                today: CalendarDay, empNotificationsEnabled: Bool) -> Entitlements {
        let table = EntitlementTable.table(for: generation)
        let index = ProductIndex(products)
        let base = table.baseLicense.evaluate(index)
        let decisions = table.featureNames.map { feature -> Decision in
            if table.unlicensedFeatures.contains(feature) {
                return Decision(feature: feature, allowed: true, reason: nil)
            }
            guard base.licensed, let row = table.row(for: feature) else {
                return Decision(feature: feature, allowed: false, reason: base.reason ?? "not granted")
            }
            return table.decide(feature, row: row, products: index, version: version)
        }
        let suppressionHonoured = ExpiryWarnings.suppressionKeyExists(generation: generation, version: version)
        let warnings = ExpiryWarnings.warnings(for: products,
                                               empNotificationsEnabled: empNotificationsEnabled || !suppressionHonoured)
        return Entitlements(generation: generation, version: version, licensed: base.licensed,
                            baseLicenseCurrent: table.baseLicense.isCurrent(index), unlicensedReason: base.reason,
                            products: products, features: decisions, warnings: warnings)
    }

    /// The decision for `feature`, or nil when this generation has no such feature.
    public func decision(for feature: String) -> Decision? {
        features.first { $0.feature == feature }
    }

    /// Every feature name `generation` knows, in table order (for `allows` usage messages).
    public static func featureNames(for generation: OSGeneration) -> [String] {
        EntitlementTable.table(for: generation).featureNames
    }
}
