/// The update rule (ENTITLEMENTS.md "The update rule", `may-update`): may a local update
/// released on a given day be installed?
///
/// Which feature answers for which kind of update on which generation is data; the answer
/// itself comes from that feature's decision, so `features` and `may-update` never disagree.
/// With expired maintenance the source allows firmware "as long as the release date of the
/// firmware update is lower than the expiration date": strictly before, so a release on the
/// expiry day itself is refused.
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

    /// The answer, with the sentence that explains it.
    public struct Answer: Sendable, Equatable {
        public let allowed: Bool
        public let feature: String?
        public let reason: String
    }

    public static func decide(_ entitlements: Entitlements, kind: Kind, releaseDate: CalendarDay) -> Answer {
        let generation = entitlements.generation
        guard let feature = governingFeatures[generation]?[kind],
              let decision = entitlements.decision(for: feature)
        else {
            return Answer(allowed: false, feature: nil,
                          reason: "IGEL OS \(generation.rawValue) has no local \(kind.rawValue) updates")
        }
        guard decision.allowed else {
            return Answer(allowed: false, feature: feature,
                          reason: "\(feature) is not allowed: \(decision.reason ?? "not granted")")
        }
        if let limit = decision.releasedBefore {
            if releaseDate < limit {
                return Answer(allowed: true, feature: feature,
                              reason: "released \(releaseDate), before \(limit): \(decision.reason ?? "")")
            }
            return Answer(allowed: false, feature: feature,
                          reason: "released \(releaseDate), not before \(limit): \(decision.reason ?? "maintenance ended")")
        }
        return Answer(allowed: true, feature: feature, reason: "\(feature) is allowed")
    }
}
