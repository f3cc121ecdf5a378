import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `features`: every feature name of the device's generation and whether it is allowed now,
/// with the reason for each denied one. Exit 0.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "List every feature and whether it is allowed now (and why not).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting(json: options.json) {
            let report = try DeviceInspector(layout: options.layout).inspect()
            let entitlements = report.entitlements
            if options.json {
                Console.write(JSONOutput.string(FeaturesDocument(report: report)))
            } else {
                let licensing = entitlements.licensed
                    ? "licensed" : "NOT licensed (\(entitlements.unlicensedReason ?? "no base license"))"
                Console.write("IGEL OS \(report.generation.rawValue), \(licensing), on \(report.today):")
                let width = entitlements.features.map(\.feature.count).max() ?? 0
                for decision in entitlements.features {
                    let name = decision.feature.padding(to: width)
                    let mark = decision.allowed ? "allowed" : "denied "
                    Console.write("  \(mark)  \(name)" + (decision.reason.map { "  \($0)" } ?? ""))
                }
            }
            return 0
        }
    }
}

/// `allows FEATURE`: exit 0 allowed, 2 denied (with the reason on stderr), 64 unknown name.
struct AllowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allows",
        abstract: "Is this feature allowed now?",
        discussion: "Exit 0 when allowed, 2 when not, 64 when the feature name is unknown.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("A feature name, as `features` lists them.", valueName: "feature"),
              completion: .list(Entitlements.allFeatureNames), transform: CommandLineBytes.text)
    var feature: String

    func run() throws {
        try runReporting(json: options.json) {
            let report = try DeviceInspector(layout: options.layout).inspect()
            guard let decision = report.entitlements.decision(for: feature) else {
                throw AgentError(.usage, "\"\(feature)\" is not a feature of IGEL OS \(report.generation.rawValue)",
                                 remedy: "Run `license-agent features` to see every feature name")
            }
            if options.json {
                Console.write(JSONOutput.string(AllowsDocument(decision)))
            } else if decision.allowed {
                Console.write("\(feature) is allowed" + (decision.reason.map { " (\($0))." } ?? "."))
            }
            guard decision.allowed else {
                writeToStandardError("\(feature) is not allowed: \(decision.reason ?? "not granted"). "
                                     + "Import a license that grants it.")
                return 2
            }
            return 0
        }
    }
}

/// `may-update --release-date DATE [--kind os|app] [--version V]`: exit 0 yes, 2 no (with why
/// and what to do on stderr).
struct MayUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "may-update",
        abstract: "May a local update released on DATE (to version V) be installed?",
        discussion: """
            With expired maintenance, IGEL OS 11 firmware released before the expiry date may \
            still be installed; on IGEL OS 12 an expired PAS allows no local update. An upgrade \
            from IGEL OS 11 to 12 (--version 12.x.y) needs active maintenance (WE or PAS), \
            whatever the release date. Exit 0 when allowed, 2 when not.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("The update's release date (YYYY-MM-DD).", valueName: "date"))
    var releaseDate: CalendarDay

    @Option(help: "What is updated: os (firmware) or app.")
    var kind: UpdateRule.Kind = .os

    @Option(help: ArgumentHelp("The version the update installs, e.g. 12.5.1 or 11.08.100.", valueName: "version"))
    var version: OSVersion?

    func validate() throws {
        guard version == nil || kind == .os else { throw ValidationError("--version applies to --kind os only.") }
    }

    func run() throws {
        try runReporting(json: options.json) {
            let report = try DeviceInspector(layout: options.layout).inspect()
            let answer = UpdateRule.decide(report.entitlements, kind: kind, releaseDate: releaseDate, targetVersion: version)
            if options.json {
                Console.write(JSONOutput.string(UpdateAnswer(answer, kind: kind, releaseDate: releaseDate, version: version)))
            } else if answer.allowed {
                Console.write("Allowed: \(answer.reason).")
            }
            guard answer.allowed else {
                writeToStandardError("This \(kind.rawValue) update may not be installed: \(answer.reason)."
                                     + (answer.remedy.map { " \($0)." } ?? ""))
                return 2
            }
            return 0
        }
    }
}

extension UpdateRule.Kind: ExpressibleByArgument {}

extension OSVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(CommandLineBytes.text(argument)) }
}

// MARK: - JSON answers (schema version 1; keys may be added, never renamed)

/// `features --json`.
struct FeaturesDocument: Encodable {
    let schemaVersion = 1
    let osGeneration: Int
    let today: String
    let licensed: Bool
    @ExplicitNull var unlicensedReason: String?
    let features: FeatureMap
    let decisions: [FeatureAnswer]

    init(report: DeviceReport) {
        osGeneration = report.generation.rawValue
        today = report.today.description
        licensed = report.entitlements.licensed
        unlicensedReason = report.entitlements.unlicensedReason
        features = FeatureMap(report.entitlements.features)
        decisions = report.entitlements.features.map(FeatureAnswer.init)
    }

}

/// One feature's decision; also `allows --json`.
struct FeatureAnswer: Encodable {
    let feature: String
    let allowed: Bool
    @ExplicitNull var reason: String?
    @ExplicitNull var releasedBefore: String?

    init(_ decision: Entitlements.Decision) {
        feature = decision.feature
        allowed = decision.allowed
        reason = decision.reason
        releasedBefore = decision.releasedBefore?.description
    }
}

/// `allows --json`: one feature's decision with the schema version (CLI.md: every `--json`
/// object carries `schemaVersion`).
struct AllowsDocument: Encodable {
    let schemaVersion = 1
    let feature: String
    let allowed: Bool
    @ExplicitNull var reason: String?
    @ExplicitNull var releasedBefore: String?

    init(_ decision: Entitlements.Decision) {
        let answer = FeatureAnswer(decision)
        (feature, allowed, reason, releasedBefore) = (answer.feature, answer.allowed, answer.reason, answer.releasedBefore)
    }
}

/// `may-update --json`.
struct UpdateAnswer: Encodable {
    let schemaVersion = 1
    let kind: String
    let releaseDate: String
    @ExplicitNull var version: String?
    let allowed: Bool
    @ExplicitNull var feature: String?
    let reason: String
    @ExplicitNull var remedy: String?

    init(_ answer: UpdateRule.Answer, kind: UpdateRule.Kind, releaseDate: CalendarDay, version: OSVersion?) {
        self.kind = kind.rawValue
        self.releaseDate = releaseDate.description
        self.version = version?.description
        allowed = answer.allowed
        feature = answer.feature
        reason = answer.reason
        remedy = answer.remedy
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
