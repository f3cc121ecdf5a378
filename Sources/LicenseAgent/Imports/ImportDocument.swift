import LicensePolicy

/// The `--json` answer of `import`, `import-usb`, `fetch` and `activate` (CLI.md).
public struct ImportDocument: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        let source: String
        let verdict: Verdict
        @ExplicitNull var installedAs: String?
        let detail: String
    }

    let schemaVersion = 1
    let results: [Entry]
    let removed: [String]

    public init(_ outcome: LicenseImport.Outcome) {
        results = Self.entries(outcome)
        removed = outcome.removed.map(\.jsonText)
    }

    /// The `results` entries of an outcome (none when nothing was imported).
    static func entries(_ outcome: LicenseImport.Outcome?) -> [Entry] {
        (outcome?.results ?? []).map {
            Entry(source: $0.source, verdict: $0.verdict, installedAs: $0.installedAs?.jsonText, detail: $0.detail)
        }
    }

    /// The human form: one line per candidate, then what to do next.
    public static func text(_ outcome: LicenseImport.Outcome) -> String {
        var lines = outcome.results.map { result in
            let what = result.installedAs.map { "installed as \($0)" } ?? result.verdict.rawValue
            return "\(result.source): \(what) (\(result.detail))"
        }
        for name in outcome.removed { lines.append("removed \(name)") }
        if outcome.results.contains(where: { $0.installedAs != nil }) {
            lines.append("Reboot the device to apply the new license(s).")
        } else if outcome.exitStatus != 0 {
            lines.append("Nothing was installed; the licenses on the device are unchanged.")
        }
        return lines.joined(separator: "\n")
    }
}
