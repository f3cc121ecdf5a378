import LicensePolicy

/// The human `status` and `check` output: what an administrator reads on a device at 2 a.m.
/// Warnings first, then the unit and the verdict, one line per license with its reason,
/// products with days left, configuration and removal profile.
public enum StatusText {
    public static func render(_ status: DeviceStatus) -> String {
        let report = status.report
        var lines: [String] = []
        for warning in status.warnings {
            lines.append("WARNING (\(warning.code.rawValue)): \(warning.message)")
        }
        if !status.warnings.isEmpty { lines.append("") }
        let unit = report.unit.map { "\($0) (\($0.source == .mac ? "MAC address" : "UD Pocket serial"))" }
            ?? "none found (run `license-agent unit-id --all`)"
        lines.append("Unit ID:        \(unit)")
        lines.append("Licensed:       \(report.licensed ? "yes" : "NO") (IGEL OS \(report.generation.rawValue))")
        lines.append("Trusted time:   \(report.trustedTime.value)\(report.today == report.trustedTime.today ? "" : ", evaluated for \(report.today)")")
        lines.append("")
        if report.licenses.isEmpty {
            lines.append("Licenses:       none installed in /license/dsa/licenses")
        } else {
            lines.append("Licenses:")
            let width = report.licenses.map(\.verdict.rawValue.count).max() ?? 0
            for license in report.licenses {
                lines.append("  \(pad(license.verdict.rawValue, width))  \(license.file): \(license.detail)")
            }
        }
        if !report.products.isEmpty {
            lines.append("")
            lines.append("Products:")
            for product in report.products {
                lines.append("  \(pad(product.product, 5)) \(pad(product.state.rawValue, 13)) \(productLine(product))")
            }
        }
        let denied = report.entitlements.features.filter { !$0.allowed }
        lines.append("")
        lines.append("Features:       \(report.entitlements.features.filter(\.allowed).count) allowed, \(denied.count) denied (`license-agent features` lists them)")
        let configuration = status.configuration
        lines.append("Configuration:  " + (configuration.frozen
            ? "FROZEN since \(configuration.since.map(\.description) ?? "?") (PAS expired \(configuration.pasExpired.map(\.description) ?? "?"))"
            : "not frozen"))
        lines.append("Removal profile: " + removalProfileLine(status.removalProfile))
        if !status.errors.isEmpty {
            lines.append("")
            lines.append("Problems:")
            for error in status.errors { lines.append("  \(error.code.rawValue): \(error.sentence)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `none assigned`; `NAME (SELECTOR), assigned; next start removes: …`; or, when it may
    /// not run, `refused: REASON` (two assigned profiles have no one selector to show).
    static func removalProfileLine(_ profile: RemovalProfileSummary?) -> String {
        guard let profile else { return "none assigned" }
        guard profile.state == "assigned" else {
            return "\(profile.state) (\(profile.name)): \(profile.detail ?? "no reason given")"
        }
        let removes = profile.wouldRemove.isEmpty ? "nothing" : profile.wouldRemove.joined(separator: ", ")
        return "\(profile.name) (\(profile.selector)), assigned; next start removes: \(removes)"
    }

    /// `until D (N days left)`, with `; renewed: continues until D` when an installed renewal
    /// continues it, or `; renewal starts D` when the installed renewal leaves a gap.
    static func productLine(_ product: ProductStatus) -> String {
        let renewal = product.continuedUntil.map { "; renewed: continues until \($0)" }
            ?? product.renewalAfterGap.map { "; renewal starts \($0)" } ?? ""
        switch product.state {
        case .active, .expiring:
            let left = product.daysLeft ?? 0
            return "until \(product.expires) (\(left) day\(left == 1 ? "" : "s") left)" + renewal
        case .expired:
            return (product.model == .perpetual ? "maintenance ended \(product.expires)" : "expired \(product.expires)")
                + renewal
        case .notYetValid:
            return "starts \(product.starts)"
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
