/// When the setup assistant's evaluation activation is allowed (CLI.md `activate`): only on a
/// fresh device, one that is not registered with a UMS and holds no base license.
///
/// "Fresh" is data: the registration key of the device settings and the base-license products
/// of every generation's table (PAS, WE, WE-E), counted in any state (valid, expired, not yet
/// valid) — a device whose evaluation ended does not get a second one by activating again.
public enum ActivationRule {
    /// Every product that can be a base license on some OS generation.
    public static var baseProducts: [String] {
        var products: [String] = []
        for generation in OSGeneration.allCases {
            for grant in EntitlementTable.table(for: generation).baseLicense.grants
            where !products.contains(grant.product) {
                products.append(grant.product)
            }
        }
        return products
    }

    /// Why activation is refused, or nil when the device is fresh.
    /// - Parameter licenses: the installed licenses judged for this unit.
    public static func refusal(delivery: DeliverySettings, licenses: [LicenseEvaluation.Report]) -> String? {
        if let server = delivery.server {
            return "this device is registered with the management server \(Credentials.redacted(server)) (\(DeliverySettings.serverKey)), which deploys its licenses"
        }
        let base = baseProducts
        let held = licenses.filter { report in
            report.verdict.isCounted && report.document.map { base.contains($0.product) } == true
        }
        guard let first = held.first, let document = first.document else { return nil }
        return "this device already holds a base license (\(first.file): \(document.product) \(document.model.rawValue), \(first.verdict.rawValue))"
    }
}
