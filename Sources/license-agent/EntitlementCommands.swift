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
              completion: .list(Entitlements.allFeatureNames))
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

/// `config apply FILE`, `config snapshot` and `config status`: the device settings and their freeze.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Install device settings, record them as the last good configuration, or show whether they are frozen.",
        subcommands: [ConfigApplyCommand.self, ConfigSnapshotCommand.self, ConfigStatusCommand.self])
}

/// `config apply FILE`: exit 0 applied, 2 frozen, 1 error.
struct ConfigApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Install a new settings file (/wfs/group.ini), unless the configuration is frozen.",
        discussion: """
            Atomic and durable; the replaced file is kept as /wfs/group.ini.previous. While an expired \
            PAS keeps the configuration frozen, only a file that differs from the frozen settings in \
            the five license delivery keys alone (system.remotemanager.server, license_download_url, \
            ums_ca, prompt_user_on_actions, proxy) is accepted, and only those keys are installed. \
            Exit 0 applied, 2 refused because an expired PAS froze the configuration, 1 on error.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The new settings file (key=value lines).", valueName: "file"))
    var file: String

    func run() throws {
        try runReporting(json: options.json) {
            let configurationGuard = ConfigurationGuard(layout: options.layout)
            let fileBytes = CommandLineBytes.arguments([file])[0]
            let applied = try configurationGuard.applyUnderLock(newFile: fileBytes)
            let file = DisplayText.escaping(fileBytes)
            if options.json {
                Console.write(JSONOutput.string(ApplyAnswer(settingsFile: options.layout.settingsFile, previous: applied.previous,
                                                            deliveryKeysOnly: applied.deliveryKeysOnly)))
            } else {
                let what = applied.deliveryKeysOnly
                    ? "The configuration is frozen; the license delivery keys of \(file) were installed in \(options.layout.settingsFile)"
                    : "Applied \(file) as \(options.layout.settingsFile)"
                Console.write(what + (applied.previous.map { "; the previous settings are kept as \($0)." } ?? "."))
            }
            for warning in applied.warnings { writeToStandardError(warning, priority: .warning) }
            return 0
        }
    }
}

/// `config snapshot`: records the settings file as the last good configuration while the PAS
/// is active (ENTITLEMENTS.md "Frozen configuration" 1); started by license-agent-config-snapshot.path
/// at every change of /wfs/group.ini. Never reverts. Exit 0 recorded or nothing to record,
/// 2 not recorded because of the freeze (frozen, or the PAS expired), 1 error.
struct ConfigSnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Record /wfs/group.ini as the last good configuration while the PAS is active.",
        discussion: """
            Run by license-agent-config-snapshot.path whenever the settings file changes, so that a \
            change made while the PAS is active (also on its last day) is what a freeze keeps. Records \
            only on IGEL OS 12 with an active PAS; never reverts, freezes or thaws (that is `check`). \
            Exit 0 when recorded, already recorded, or nothing freezes on this device; 2 when the \
            change was not recorded because the configuration is frozen or the PAS expired; 1 on error.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting(json: options.json) {
            let settingsFile = options.layout.settingsFile
            let snapshot = try ConfigurationGuard(layout: options.layout).snapshotUnderLock()
            let sentence = snapshot.sentence(settingsFile: settingsFile)
            if options.json {
                Console.write(JSONOutput.string(SnapshotAnswer(snapshot, settingsFile: settingsFile, detail: sentence)))
            } else if snapshot.exitStatus == 0 {
                Console.write(sentence)
            }
            if snapshot.exitStatus != 0 { writeToStandardError(sentence) }
            return snapshot.exitStatus
        }
    }
}

/// `config status`: frozen or not, since when, snapshot digest. Exit 0.
struct ConfigStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether the configuration is frozen, since when, and the snapshot digest.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting(json: options.json) {
            let state = try ConfigurationGuard(layout: options.layout).state()
            if options.json {
                Console.write(JSONOutput.string(ConfigurationAnswer(configuration: state)))
            } else if state.frozen {
                let origin = state.snapshotSource == .lastGood
                    ? "the last good configuration, recorded \(state.snapshotRecordedAt ?? "while the PAS was active")"
                    : "the settings found when it froze (this device was never seen with an active PAS, so no last good configuration was recorded)"
                Console.write("Configuration frozen since \(state.since.map(String.init(describing:)) ?? "unknown") "
                      + "(PAS expired on \(state.pasExpired.map(String.init(describing:)) ?? "unknown")); "
                      + "snapshot: \(origin); sha256 \(state.snapshotDigest ?? "none (no settings file)"). "
                      + "Import a renewed PAS license to lift the freeze.")
            } else {
                Console.write("Configuration not frozen.")
            }
            return 0
        }
    }
}

extension UpdateRule.Kind: ExpressibleByArgument {}

extension OSVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
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

/// `config apply --json`.
struct ApplyAnswer: Encodable {
    let schemaVersion = 1
    let applied = true
    let settingsFile: String
    @ExplicitNull var previous: String?
    /// True when the configuration is frozen and only the license delivery keys were installed.
    let deliveryKeysOnly: Bool
}

/// `config snapshot --json`: `outcome` is `recorded`, `unchanged` (already the last good
/// configuration), `frozen-unchanged`, `frozen`, `freeze-due` or `not-applicable`.
struct SnapshotAnswer: Encodable {
    let schemaVersion = 1
    let outcome: String
    let recorded: Bool
    let settingsFile: String
    let detail: String
    let configuration: ConfigurationState

    init(_ snapshot: ConfigurationGuard.Snapshot, settingsFile: String, detail: String) {
        switch snapshot.decision {
        case .record: outcome = snapshot.recorded ? "recorded" : "unchanged"
        case .frozenUnchanged: outcome = "frozen-unchanged"
        case .frozenChanged: outcome = "frozen"
        case .freezeDue: outcome = "freeze-due"
        case .nothingToRecord: outcome = "not-applicable"
        }
        recorded = snapshot.recorded
        self.settingsFile = settingsFile
        self.detail = detail
        configuration = snapshot.configuration
    }
}

/// `config status --json`.
struct ConfigurationAnswer: Encodable {
    let schemaVersion = 1
    let configuration: ConfigurationState
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
