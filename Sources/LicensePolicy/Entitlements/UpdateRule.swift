/// The update rule (ENTITLEMENTS.md "The update rule", "OS 11 versions"; `may-update`): may a
/// local update released on a given day, to a given version, be installed?
///
/// Which feature answers for which kind of update on which generation is data, and so is the
/// one generation upgrade the source knows (OS 11 → 12, only with active maintenance); the
/// answer itself comes from that feature's decision, so `features` and `may-update` never
/// disagree. With expired maintenance the source allows firmware "as long as the release date
/// of the firmware update is lower than the expiration date": strictly before, so a release
/// on the expiry day itself is refused.
public enum UpdateRule {
    /// What is being updated: the operating system (firmware) or an app.
    public enum Kind: String, Sendable, CaseIterable {
        case os, app
    }

    /// The feature that governs `kind` on each generation. OS 11 has no apps.
    public static let governingFeatures: [OSGeneration: [Kind: String]] = [
        .os12: [.os: "update-os-locally", .app: "install-apps-locally"],
        .os11: [.os: "update-firmware-locally"],
    ]

    /// An OS update into another generation: allowed only while one of `requiresActive` is
    /// active, whatever the release date ("Upgrading an OS 11 device to OS 12 needs active
    /// maintenance (active WE maintenance or active PAS)").
    public struct GenerationUpgrade: Sendable, Equatable {
        public let from: OSGeneration
        public let to: Int
        public let requiresActive: [String]
    }

    public static let generationUpgrades = [
        GenerationUpgrade(from: .os11, to: 12, requiresActive: ["WE", "PAS"]),
    ]

    /// The answer, with the sentence that explains it and, when refused, what can be done.
    public struct Answer: Sendable, Equatable {
        public let allowed: Bool
        public let feature: String?
        public let reason: String
        /// What the administrator can do about a refusal; nil when nothing on the device helps.
        public let remedy: String?

        init(allowed: Bool, feature: String?, reason: String, remedy: String? = nil) {
            self.allowed = allowed
            self.feature = feature
            self.reason = reason
            self.remedy = remedy
        }
    }

    /// - Parameter targetVersion: the version the update installs (`--version`), when given;
    ///   an OS update into another generation follows `generationUpgrades`.
    public static func decide(_ entitlements: Entitlements, kind: Kind, releaseDate: CalendarDay,
                              targetVersion: OSVersion? = nil) -> Answer {
        let generation = entitlements.generation
        if kind == .os, let targetVersion, targetVersion.major != generation.rawValue {
            return decideUpgrade(entitlements, to: targetVersion)
        }
        guard let feature = governingFeatures[generation]?[kind],
              let decision = entitlements.decision(for: feature)
        else {
            return Answer(allowed: false, feature: nil,
                          reason: "IGEL OS \(generation.rawValue) has no local \(kind.rawValue) updates")
        }
        guard decision.allowed else {
            return Answer(allowed: false, feature: feature,
                          reason: "\(feature) is not allowed: \(decision.reason ?? "not granted")",
                          remedy: "Import a license that grants \(feature)")
        }
        if let limit = decision.releasedBefore {
            if releaseDate < limit {
                return Answer(allowed: true, feature: feature,
                              reason: "released \(releaseDate), before \(limit): \(decision.reason ?? "")")
            }
            return Answer(allowed: false, feature: feature,
                          reason: "released \(releaseDate), not before \(limit): \(decision.reason ?? "maintenance ended")",
                          remedy: "Import a renewed license, or install a release published before \(limit)")
        }
        return Answer(allowed: true, feature: feature, reason: "\(feature) is allowed")
    }

    /// An OS update to another generation: only the listed upgrades, and only with one of
    /// their products active.
    static func decideUpgrade(_ entitlements: Entitlements, to target: OSVersion) -> Answer {
        let generation = entitlements.generation
        guard let upgrade = generationUpgrades.first(where: { $0.from == generation && $0.to == target.major }) else {
            return Answer(allowed: false, feature: nil,
                          reason: "there is no local update from IGEL OS \(generation.rawValue) to \(target)")
        }
        let feature = governingFeatures[generation]?[.os]
        let held = upgrade.requiresActive.compactMap { code in entitlements.products.first { $0.product == code } }
        if let active = held.first(where: \.isActive) {
            return Answer(allowed: true, feature: feature,
                          reason: "upgrade to IGEL OS \(target) with active maintenance (\(active.product) until \(active.expires))")
        }
        let needed = EntitlementTable.spoken(upgrade.requiresActive)
        let why = held.isEmpty ? "no \(needed) license"
            : held.map { $0.state == .notYetValid ? "\($0.product) starts on \($0.starts)" : EntitlementTable.ended($0) }
                .joined(separator: " and ")
        return Answer(allowed: false, feature: feature,
                      reason: "an upgrade from IGEL OS \(generation.rawValue) to \(upgrade.to) needs active maintenance (an active \(needed)): \(why)",
                      remedy: "Renew the maintenance (\(needed)) before upgrading; the release date does not matter")
    }
}
