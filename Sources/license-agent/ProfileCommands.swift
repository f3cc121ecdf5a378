import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `profiles list` and `profiles run` (PROFILES.md).
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the shipped removal profiles, or run the assigned one.",
        subcommands: [ProfilesListCommand.self, ProfilesRunCommand.self])
}

/// `profiles list`: the profiles shipped with the agent. Exit 0.
struct ProfilesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the removal profiles shipped with the agent.",
        discussion: """
            Looks in $\(RemovalProfiles.directoryVariable), else /usr/share/license-agent/profiles (under --root), \
            else the Profiles/ directory of the source tree the agent was built in.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting(json: options.json) {
            let (directory, files) = try RemovalProfiles(layout: options.layout).shipped()
            if options.json {
                Console.write(JSONOutput.string(ProfileListDocument(directory: directory, files: files)))
            } else {
                Console.write("Removal profiles in \(directory):")
                for file in files {
                    switch file.profile {
                    case .success(let profile):
                        Console.write("  \(profile.name)  [\(profile.selector)]  \(profile.description)")
                    case .failure(let rejection):
                        Console.write("  \(file.file)  REFUSED: \(rejection)")
                    }
                }
                if files.isEmpty { Console.write("  (none)") }
            }
            return 0
        }
    }
}

/// `profiles run`: what `check` does first. Exit 0 ran or none assigned; 2 refused (also
/// assigned after the configuration froze); 1 error.
struct ProfilesRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the removal profile assigned in /wfs/license-profiles/ now.",
        discussion: """
            While an expired PAS keeps the configuration frozen, only a profile assigned before the freeze \
            runs. Exit 0 when it ran or none is assigned, 2 when it was refused (two assigned, not a valid \
            profile, or assigned after the freeze), 1 on error.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try runReporting(json: options.json) {
            let layout = options.layout
            let run = try RemovalProfiles(layout: layout).runAssigned()
            switch run.outcome {
            case .refused(let reason):
                writeToStandardError("Removal profile refused, nothing removed: \(reason). Leave exactly one valid profile in \(layout.assignedProfiles).")
            case .frozen(_, let reason):
                writeToStandardError("Removal profile not run while the configuration is frozen, nothing removed: \(reason). Import a renewed PAS license to lift the freeze, or remove the profile from \(layout.assignedProfiles).")
            case .noneAssigned, .ran:
                break
            }
            if options.json {
                Console.write(JSONOutput.string(ProfileRunDocument(run)))
            } else {
                switch run.outcome {
                case .noneAssigned:
                    Console.write("No removal profile is assigned in \(layout.assignedProfiles); nothing removed.")
                case .ran(let profile, let removed):
                    Console.write("Ran removal profile \(profile.name) (\(profile.selector)):")
                    printRemoval(removed, dryRun: false)
                    if let failure = removed.auditFailure { warnAuditMissing(failure) }
                case .refused, .frozen:
                    break
                }
            }
            if case .ran(_, let removed) = run.outcome {
                ReportAfterChange.run(layout: layout, changed: !removed.isEmpty, verbose: options.verbose)
            }
            return run.exitStatus
        }
    }
}

/// `remove (--all | --evaluation | --product CODE) [--dry-run]`: the same engine as profiles.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove installed licenses now: all, evaluation ones, or one product's.",
        discussion: "Exit 0 when done (also when nothing matched), 1 on error, 64 on a usage error.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Every .lic file (verified or not) and every fetch* request file.")
    var all = false

    @Flag(help: "Verified evaluation licenses (model evaluation or product WE-E).")
    var evaluation = false

    @Option(help: ArgumentHelp("Verified licenses of this product pack (e.g. EMP).", valueName: "code"),
            completion: .list(ProductPacks.knownCodes), transform: CommandLineBytes.text)
    var product: String?

    @Flag(help: "Show what would be removed, change nothing.")
    var dryRun = false

    func validate() throws {
        let chosen = [all, evaluation, product != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("Give exactly one of --all, --evaluation, --product CODE.") }
        _ = try selector()
    }

    func selector() throws -> RemovalSelector {
        if all { return .all }
        if evaluation { return .evaluation }
        do { return try RemovalSelector(parsing: "product:" + (product ?? "")) } catch {
            throw ValidationError("--product: \(error.reason)")
        }
    }

    func run() throws {
        let selector = try selector()
        try runReporting(json: options.json) {
            let layout = options.layout
            let profiles = RemovalProfiles(layout: layout)
            let result: RemovalProfiles.Plan
            if dryRun {
                result = try profiles.plan(selector)
            } else {
                result = try profiles.remove(selector)
            }
            if options.json {
                Console.write(JSONOutput.string(RemovalDocument(result, dryRun: dryRun)))
            } else {
                Console.write("\(dryRun ? "Would remove" : "Removing") \(selector.explanation):")
                printRemoval(result, dryRun: dryRun)
            }
            if let failure = result.auditFailure { warnAuditMissing(failure) }
            ReportAfterChange.run(layout: layout, changed: !dryRun && !result.isEmpty, verbose: options.verbose)
            return 0
        }
    }
}

/// The lines for one removal: each file with its license id, or that nothing matched.
func printRemoval(_ plan: RemovalProfiles.Plan, dryRun: Bool) {
    let verb = dryRun ? "would remove" : "removed"
    for license in plan.licenses {
        Console.write("  \(verb) \(license.file)" + (license.licenseId.map { " (license \($0))" } ?? " (unverified)"))
    }
    for request in plan.requestFiles { Console.write("  \(verb) request file \(request)") }
    if plan.isEmpty { Console.write("  nothing matches; nothing \(dryRun ? "would be " : "")removed") }
}

/// `remove --json`: `{"schemaVersion":1,"selector":…,"dryRun":…,"licenses":[{file,licenseId}],"requestFiles":[…]}`.
struct RemovalDocument: Encodable {
    struct License: Encodable {
        let file: String
        @ExplicitNull var licenseId: String?
    }

    let schemaVersion = 1
    let selector: String
    let dryRun: Bool
    let licenses: [License]
    let requestFiles: [String]

    init(_ plan: RemovalProfiles.Plan, dryRun: Bool) {
        selector = plan.selector.description
        self.dryRun = dryRun
        licenses = plan.licenses.map { License(file: $0.file.jsonText, licenseId: $0.licenseId) }
        requestFiles = plan.requestFiles.map(\.jsonText)
    }
}

/// `profiles run --json`: `{"schemaVersion":1,"outcome":"ran"|"refused"|"none-assigned",
/// "code":"profile-refused"|"profile-frozen"|null,"assigned":[…],"profile":…|null,
/// "removal":…|null,"detail":…|null}`. A profile assigned after the freeze is `refused` with
/// code `profile-frozen` (the warning `check` gives), so scripts that know `refused` still match.
struct ProfileRunDocument: Encodable {
    let schemaVersion = 1
    let outcome: String
    @ExplicitNull var code: String?
    let assigned: [String]
    @ExplicitNull var profile: ProfileEntry?
    @ExplicitNull var removal: RemovalDocument?
    @ExplicitNull var detail: String?

    init(_ run: RemovalProfiles.ProfileRun) {
        assigned = run.assignedFiles.map(\.jsonText)
        let file = run.assignedFiles.first?.jsonText ?? ""
        switch run.outcome {
        case .noneAssigned:
            (outcome, code, profile, removal, detail) = ("none-assigned", nil, nil, nil, nil)
        case .ran(let ran, let removed):
            (outcome, code, profile, removal, detail) = ("ran", nil, ProfileEntry(ran, file: file),
                                                         RemovalDocument(removed, dryRun: false), nil)
        case .refused(let reason):
            (outcome, code, profile, removal, detail) = ("refused", Warning.Code.profileRefused.rawValue, nil, nil, reason)
        case .frozen(let frozen, let reason):
            (outcome, code, profile, removal, detail) = ("refused", Warning.Code.profileFrozen.rawValue,
                                                         ProfileEntry(frozen, file: file), nil, reason)
        }
    }
}

/// One profile in JSON: `{"file","name","description","selector"}`.
struct ProfileEntry: Encodable {
    let file: String
    let name: String
    let description: String
    let selector: String

    init(_ profile: RemovalProfile, file: String) {
        self.file = file
        name = profile.name
        description = profile.description
        selector = profile.selector.description
    }
}

/// `profiles list --json`: `{"schemaVersion":1,"directory":…,"profiles":[…],"refused":[{file,reason}]}`.
struct ProfileListDocument: Encodable {
    struct Refused: Encodable {
        let file: String
        let reason: String
    }

    let schemaVersion = 1
    let directory: String
    let profiles: [ProfileEntry]
    let refused: [Refused]

    init(directory: String, files: [RemovalProfiles.ProfileFile]) {
        self.directory = directory
        profiles = files.compactMap { file in (try? file.profile.get()).map { ProfileEntry($0, file: file.file.jsonText) } }
        refused = files.compactMap { file in
            if case .failure(let rejection) = file.profile { return Refused(file: file.file.jsonText, reason: rejection.description) }
            return nil
        }
    }
}
