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
    /// What the device said about its OS version: the version windows were applied to it.
    public let versionReading: OSVersionReading
    public let licensed: Bool
    /// True when a base-license product is `active` (more than 30 days left, or continued by an
    /// installed renewal); false when the device is unlicensed or its base license is expiring
    /// or expired. `renewalNeeded` is the complete answer to "should deploy ask the UMS?".
    public let baseLicenseCurrent: Bool
    /// True when the device is unlicensed, or its base license (or, on OS 11, its EMP) is
    /// expiring or expired with no continuing renewal installed (DELIVERY.md steps 2 and 3;
    /// ENTITLEMENTS.md "Renewals"): the UMS may have the license it needs.
    public let renewalNeeded: Bool
    /// Why the device is unlicensed ("no PAS license"); nil when licensed.
    public let unlicensedReason: String?
    /// The product states the rules were applied to.
    public let products: [ProductStatus]
    /// Every feature name of the generation, allowed or not, in table order.
    public let features: [Decision]
    public let warnings: [Warning]

    /// The full OS version the rules were applied for; nil when none was read.
    public var version: OSVersion? { versionReading.version }

    /// Evaluates the table of `generation` on `today`, for the OS `version` when known (the
    /// version windows of OS 11; nil applies none). `empNotificationsEnabled` is false when the
    /// settings file switches EMP warnings off (honoured only where the key exists).
    public static func evaluate(generation: OSGeneration, version: OSVersion? = nil, products: [ProductStatus],
                                today: CalendarDay, empNotificationsEnabled: Bool) -> Entitlements {
        evaluate(generation: generation, versionReading: version.map(OSVersionReading.read) ?? .unstated,
                 products: products, today: today, empNotificationsEnabled: empNotificationsEnabled)
    }

    /// Evaluates the table of `generation` on `today` for what the device said about its version:
    /// a version that cannot be read denies every version-limited feature and ignores the EMP
    /// suppression key (fail closed), with the warning `os-version-unknown`.
    public static func evaluate(generation: OSGeneration, versionReading: OSVersionReading, products: [ProductStatus],
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
            return table.decide(feature, row: row, products: index, version: versionReading)
        }
        let suppressionHonoured = ExpiryWarnings.suppressionKeyExists(generation: generation, version: versionReading)
        let warnings = (versionWarning(table, versionReading).map { [$0] } ?? [])
            + ExpiryWarnings.warnings(for: products, empNotificationsEnabled: empNotificationsEnabled || !suppressionHonoured)
        return Entitlements(generation: generation, versionReading: versionReading, licensed: base.licensed,
                            baseLicenseCurrent: table.baseLicense.isCurrent(index),
                            renewalNeeded: table.renewalNeeded(index), unlicensedReason: base.reason,
                            products: products, features: decisions, warnings: warnings)
    }

    /// `os-version-unknown`, when the version cannot be read and the generation has anything
    /// that depends on it (version-limited features, the EMP suppression key's window).
    static func versionWarning(_ table: EntitlementTable, _ reading: OSVersionReading) -> Warning? {
        guard case .unreadable(let detail) = reading else { return nil }
        var denied: [String] = []
        if !table.versionLimitedFeatures.isEmpty {
            denied.append("\(spokenList(table.versionLimitedFeatures)) exist only on some IGEL OS \(table.generation.rawValue) versions and are denied")
        }
        if ExpiryWarnings.suppressionKeyVersions[table.generation] != nil {
            denied.append("the setting that silences EMP warnings is ignored")
        }
        guard !denied.isEmpty else { return nil }
        return Warning(code: .osVersionUnknown,
                       message: "The IGEL OS version of this device cannot be read (\(detail)): \(denied.joined(separator: ", and ")). Check VERSION_ID in /etc/os-release (e.g. VERSION_ID=\"11.08.100\").")
    }

    /// `a`, `a and b`, `a, b and c`.
    static func spokenList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
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
