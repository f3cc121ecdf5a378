import LicensePolicy

/// The `deploy --json` answer (DELIVERY.md step 5): the import result object of CLI.md
/// (`results`, `removed`) plus `rebootRequested`, and what the run did.
public struct DeliveryDocument: Encodable, Sendable {
    let schemaVersion = 1
    let results: [ImportDocument.Entry]
    let removed: [String]
    /// The agent ran the reboot command.
    let rebootRequested: Bool
    /// A new license was installed: a restart is pending (the marker is written).
    let rebootRequired: Bool
    let step: LicenseDelivery.Outcome.Step
    @ExplicitNull var link: String?
    let detail: String

    public init(_ outcome: LicenseDelivery.Outcome) {
        results = ImportDocument.entries(outcome.imported)
        removed = outcome.imported?.removed.map(\.jsonText) ?? []
        rebootRequested = outcome.rebootRequested
        rebootRequired = outcome.rebootRequired
        step = outcome.step
        link = outcome.link
        detail = outcome.detail
    }

    /// The human form: the import lines when something was downloaded, then what happened.
    public static func text(_ outcome: LicenseDelivery.Outcome) -> String {
        var lines: [String] = []
        if let imported = outcome.imported {
            for result in imported.results {
                let what = result.installedAs.map { "installed as \($0.description)" } ?? result.verdict.rawValue
                lines.append("\(result.source): \(what) (\(result.detail))")
            }
        }
        lines.append(outcome.detail)
        return lines.joined(separator: "\n")
    }
}
