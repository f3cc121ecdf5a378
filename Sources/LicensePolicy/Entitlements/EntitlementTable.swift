/// One IGEL OS generation's entitlement rules as data (ENTITLEMENTS.md).
///
/// The vendor documents entitlements as tables: a feature, what grants it, and what is left
/// of it once that grant expires. The agent keeps them exactly so, one table a generation,
/// so that a new product or OS generation is a new row or a new table, never a new `if`.
public struct EntitlementTable: Sendable {
    /// What grants a feature while the licenses are current ("granted while" column).
    public enum Condition: Sendable, Equatable {
        /// Any base license (see `BaseLicenseRule`): the feature lives as long as the device is licensed.
        case licensed
        /// An active or expiring license of any of these products.
        case active([String])
    }

    /// What is left of a feature once every license that could grant it has expired
    /// ("after expiry" column).
    public enum AfterExpiry: Sendable, Equatable {
        /// Still granted (✓): the device keeps running with reduced rights.
        case kept
        /// Still granted when the expired license is perpetual (PWT, 90M); a subscription
        /// or evaluation license of the same product stops the feature.
        case keptIfPerpetual
        /// Refused (✗).
        case denied
        /// Refused (✗), and the settings are kept as they were: the configuration is frozen.
        case frozen
        /// Granted only for releases published before the expiry date (the update rule).
        case releasedBeforeExpiry
    }

    /// One line of a table; several feature names may share a line, as in the source.
    public struct Row: Sendable, Equatable {
        public let features: [String]
        public let grantedWhile: Condition
        public let afterExpiry: AfterExpiry
        /// The OS versions the feature exists on (the source's Product Pack list); nil: every one.
        public let versions: VersionWindow?

        public init(_ features: [String], grantedWhile: Condition, afterExpiry: AfterExpiry,
                    versions: VersionWindow? = nil) {
            self.features = features
            self.grantedWhile = grantedWhile
            self.afterExpiry = afterExpiry
            self.versions = versions
        }
    }

    public let generation: OSGeneration
    public let baseLicense: BaseLicenseRule
    /// The features an unlicensed device still gets: enough to be managed and to receive a
    /// license (ENTITLEMENTS.md "Base license"; the onboarding service exists on OS 12 only).
    public let unlicensedFeatures: [String]
    /// Products besides the base license whose running out (expiring or expired, with no
    /// continuing renewal) is a reason to ask the UMS for a license (DELIVERY.md: "its base
    /// license or EMP").
    public let renewalWatch: [String]
    public let rows: [Row]

    public init(generation: OSGeneration, baseLicense: BaseLicenseRule, unlicensedFeatures: [String],
                renewalWatch: [String] = [], rows: [Row]) {
        self.generation = generation
        self.baseLicense = baseLicense
        self.unlicensedFeatures = unlicensedFeatures
        self.renewalWatch = renewalWatch
        self.rows = rows
    }

    /// The features whose row names the OS versions they exist on, in table order.
    public var versionLimitedFeatures: [String] {
        rows.filter { $0.versions != nil }.flatMap(\.features)
    }

    /// True when the device needs a license it does not have: it is unlicensed, no base-license
    /// product is `active` (each is expiring, expired or not yet valid with no continuing renewal),
    /// or a watched product it holds needs renewal (`ProductStatus.needsRenewal`).
    func renewalNeeded(_ products: ProductIndex) -> Bool {
        !baseLicense.isCurrent(products) || renewalWatch.contains { products[$0]?.needsRenewal == true }
    }

    /// The table of `generation`. A new generation is a new table file plus one case here.
    public static func table(for generation: OSGeneration) -> EntitlementTable {
        switch generation {
        case .os11: return .os11
        case .os12: return .os12
        }
    }

    /// Every feature name this generation knows, in table order; the unlicensed set is
    /// always among them.
    public var featureNames: [String] {
        var names: [String] = []
        for name in rows.flatMap(\.features) + unlicensedFeatures where !names.contains(name) {
            names.append(name)
        }
        return names
    }

    /// The row that names `feature`, if any.
    public func row(for feature: String) -> Row? {
        rows.first { $0.features.contains(feature) }
    }

    /// The decision for one feature of a licensed device with these products, on the device's
    /// version: outside the row's window, or with a version that cannot be read, the feature is
    /// denied (fail closed); with no version stated at all, the window is not applied.
    func decide(_ feature: String, row: Row, products: ProductIndex, version: OSVersionReading) -> Entitlements.Decision {
        if let window = row.versions {
            switch version {
            case .read(let version) where !window.contains(version):
                return Entitlements.Decision(feature: feature, allowed: false,
                                             reason: "\(feature) exists on IGEL OS \(window) only; this device runs \(version)")
            case .unreadable(let detail):
                return Entitlements.Decision(feature: feature, allowed: false,
                                             reason: "\(feature) exists on IGEL OS \(window) only, and this device's version cannot be read (\(detail))")
            case .read, .unstated:
                break
            }
        }
        let granting: [String]
        switch row.grantedWhile {
        case .licensed:
            return Entitlements.Decision(feature: feature, allowed: true, reason: nil)
        case .active(let codes):
            granting = codes
        }
        let held = granting.compactMap { products[$0] }
        if held.contains(where: \.isActive) {
            return Entitlements.Decision(feature: feature, allowed: true, reason: nil)
        }
        let expired = held.filter { $0.state == .expired }
        let why = expired.map(Self.ended).joined(separator: " and ")
        // Evaluations end: what an expired evaluation granted is gone, whatever the row keeps.
        if !expired.isEmpty && expired.allSatisfy({ $0.model == .evaluation }) {
            return Entitlements.Decision(feature: feature, allowed: false, reason: why)
        }
        if let latest = expired.filter({ $0.model != .evaluation }).max(by: { $0.expires < $1.expires }) {
            switch row.afterExpiry {
            case .kept:
                return Entitlements.Decision(feature: feature, allowed: true, reason: nil)
            case .keptIfPerpetual where expired.contains(where: { $0.model == .perpetual }):
                return Entitlements.Decision(feature: feature, allowed: true, reason: nil)
            case .keptIfPerpetual, .denied:
                return Entitlements.Decision(feature: feature, allowed: false, reason: why)
            case .frozen:
                return Entitlements.Decision(feature: feature, allowed: false,
                                             reason: "\(why): configuration is frozen")
            case .releasedBeforeExpiry:
                return Entitlements.Decision(feature: feature, allowed: true,
                                             reason: "only releases before \(latest.expires) (\(why))",
                                             releasedBefore: latest.expires)
            }
        }
        if let pending = held.filter({ $0.state == .notYetValid }).min(by: { $0.starts < $1.starts }) {
            return Entitlements.Decision(feature: feature, allowed: false,
                                         reason: "\(pending.product) starts on \(pending.starts)")
        }
        return Entitlements.Decision(feature: feature, allowed: false,
                                     reason: "no \(Self.spoken(granting)) license")
    }

    /// `EMP expired on 2026-10-31`, `WE-E evaluation ended on 2026-10-29`.
    static func ended(_ status: ProductStatus) -> String {
        status.model == .evaluation
            ? "\(status.product) evaluation ended on \(status.expires)" : "\(status.product) expired on \(status.expires)"
    }

    /// `PAS`, `EMP or PAS`, `WE, WE-E or PAS`.
    static func spoken(_ codes: [String]) -> String {
        guard codes.count > 1 else { return codes.first ?? "" }
        return codes.dropLast().joined(separator: ", ") + " or " + codes.last!
    }
}

/// Product statuses by product code.
struct ProductIndex {
    private let byCode: [String: ProductStatus]

    init(_ products: [ProductStatus]) {
        byCode = Dictionary(products.map { ($0.product, $0) }, uniquingKeysWith: { first, _ in first })
    }

    subscript(code: String) -> ProductStatus? { byCode[code] }
}
