import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

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
            let fileBytes = CommandLineBytes.bytes(file)
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

// MARK: - JSON answers (schema version 1; keys may be added, never renamed)

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
