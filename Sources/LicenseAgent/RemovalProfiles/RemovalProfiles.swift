import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Removal profiles on a device (PROFILES.md): the shipped ones, the assigned one in
/// `/wfs/license-profiles/`, and the removal engine that `check`, `profiles run` and
/// `remove` share.
///
/// The assigned profile runs at every start for as long as it stays assigned. Exactly one
/// may be assigned: with none nothing happens; with two or more, or one that does not parse,
/// nothing is removed and the refusal is reported (`profile-refused`) and written to the audit
/// log. The assignment is configuration: while an expired PAS keeps the configuration frozen,
/// only a profile assigned (byte for byte) before the freeze runs; one assigned after it is
/// refused the same way (`profile-frozen`). A profile that cannot be read (a symbolic link,
/// a FIFO, an I/O error) is an error, never a refusal or "none assigned".
/// Every change goes through `LicenseStore` (remount, atomic swap, fsync) under the writer lock.
public struct RemovalProfiles {
    public let layout: DeviceLayout
    public let clock: Timestamp
    /// The run's verifier, when the caller has one (`check` shares its own with the inspection
    /// that follows, so the keyring is read once); nil: a removal builds one when it needs it.
    public let verification: LicenseVerification?

    /// Environment variable naming the shipped-profiles directory; overrides every other place.
    public static let directoryVariable = "LICENSE_AGENT_PROFILES_DIR"
    /// Audit-log actions.
    public static let runAction = "profile-run"
    public static let removeAction = "remove"

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now(), verification: LicenseVerification? = nil) {
        self.layout = layout
        self.clock = clock
        self.verification = verification
    }

    // MARK: Profile files

    /// One profile file and what parsing it gave.
    public struct ProfileFile: Sendable {
        public let file: FileName
        public let profile: Result<RemovalProfile, RemovalProfile.Rejection>
    }

    /// The shipped profiles: from `$LICENSE_AGENT_PROFILES_DIR`, else the installed
    /// location (`/usr/share/license-agent/profiles` under the root), else the `Profiles/`
    /// directory of the development tree the running executable was built in.
    public func shippedDirectory() -> String? {
        if let explicit = ProcessInfo.processInfo.environment[RemovalProfiles.directoryVariable], !explicit.isEmpty {
            return explicit
        }
        if DevelopmentTree.isDirectory(layout.shippedProfiles) { return layout.shippedProfiles }
        return DevelopmentTree.profilesDirectory()
    }

    /// Every `*.profile` in the shipped directory, parsed, in name order.
    public func shipped() throws(AgentError) -> (directory: String, profiles: [ProfileFile]) {
        guard let directory = shippedDirectory() else {
            throw AgentError(.io, "No shipped removal profiles found", path: layout.shippedProfiles,
                             remedy: "Install the profiles there, or set \(RemovalProfiles.directoryVariable) to a directory of .profile files")
        }
        guard let opened = try OpenDirectory.open(directory) else {
            throw AgentError(.io, "The removal-profile directory does not exist", path: directory)
        }
        let profiles = try opened.entries().filter { $0.name.hasSuffix(RemovalProfile.fileExtension) && !$0.name.hasPrefix(".") }
            .map { read(opened, $0.name) }
        return (directory, profiles)
    }

    /// What is assigned in `/wfs/license-profiles/`.
    public enum Assignment: Sendable {
        case none
        /// One valid profile, with its file as a freeze records it.
        case one(RemovalProfile, file: FileName, record: ProfileAssignment)
        /// Nothing may run: the assigned file names and why.
        case refused(files: [FileName], reason: String)
    }

    /// Reads the assignment. Every entry that is not hidden counts as an assigned profile,
    /// so a stray file is a refusal rather than silently ignored. A single profile that cannot
    /// be read is thrown (CLI.md "An error reading is never a verdict"); one that went away
    /// since the listing is none.
    public func assignment() throws(AgentError) -> Assignment {
        let directory = layout.assignedProfiles
        guard let opened = try OpenDirectory.open(directory) else { return .none }
        let files = try opened.entries().filter { !$0.name.hasPrefix(".") }.map(\.name)
        switch files.count {
        case 0:
            return .none
        case 1:
            let file = files[0]
            guard file.hasSuffix(RemovalProfile.fileExtension) else {
                return .refused(files: files, reason: "\(file) is not a valid removal profile: the name must end in \(RemovalProfile.fileExtension)")
            }
            guard let bytes = try opened.readRegularFile(file, limit: RemovalProfile.maximumSize) else { return .none }
            let record = ProfileAssignment(file: file.description, sha256: try Digest.sha256Hex(bytes))
            do {
                return .one(try RemovalProfile.parse(bytes, fileName: file.description), file: file, record: record)
            } catch {
                return .refused(files: files, reason: "\(file) is not a valid removal profile: \(error)")
            }
        default:
            return .refused(files: files, reason: "\(files.count) removal profiles are assigned (\(files.map(\.description).joined(separator: ", "))) and only one may be; none was run")
        }
    }

    private func read(_ directory: OpenDirectory, _ file: FileName) -> ProfileFile {
        guard file.hasSuffix(RemovalProfile.fileExtension) else {
            return ProfileFile(file: file, profile: .failure(.init(line: nil, reason: "not a profile: the name must end in \(RemovalProfile.fileExtension)")))
        }
        do {
            guard let bytes = try directory.readRegularFile(file, limit: RemovalProfile.maximumSize) else {
                return ProfileFile(file: file, profile: .failure(.init(line: nil, reason: "the file disappeared")))
            }
            return ProfileFile(file: file, profile: Result { () throws(RemovalProfile.Rejection) in
                try RemovalProfile.parse(bytes, fileName: file.description)
            })
        } catch {
            return ProfileFile(file: file, profile: .failure(.init(line: nil, reason: error.sentence)))
        }
    }

    // MARK: The engine

    /// One installed license file a selector takes, with its license id when it verified.
    public struct LicenseFile: Sendable, Equatable {
        public let file: FileName
        public let licenseId: String?
    }

    /// What a selector removes from the device as it is now.
    public struct Plan: Sendable {
        public let selector: RemovalSelector
        public let licenses: [LicenseFile]
        public let requestFiles: [FileName]
        /// Set when the change happened but its audit line could not be written.
        public var auditFailure: AgentError?

        public var isEmpty: Bool { licenses.isEmpty && requestFiles.isEmpty }
        public var files: [FileName] { licenses.map(\.file) + requestFiles }
    }

    /// The files `selector` would remove now. Read-only: `remove --dry-run` and `status`.
    /// `verified` is what the caller already knows of each installed file (its verified
    /// document, nil when it did not verify); without it the files are verified here.
    public func plan(_ selector: RemovalSelector,
                     verified: [(file: FileName, document: LicenseDocument?)]? = nil) throws(AgentError) -> Plan {
        let files: [(file: FileName, document: LicenseDocument?)]
        if let verified {
            files = verified
        } else {
            files = try (verification ?? LicenseVerification(layout: layout)).examineInstalled(layout: layout)
                .map { (file: $0.file, document: $0.document) }
        }
        let licenses = files.filter { selector.matches($0.document) }
            .map { LicenseFile(file: $0.file, licenseId: $0.document?.licenseId) }
        let requests = selector.removesRequestFiles ? try LicenseStore.requestFiles(layout: layout) : []
        return Plan(selector: selector, licenses: licenses, requestFiles: requests)
    }

    /// Removes what `selector` takes, through the license store, and writes one audit line.
    /// `lock` proves the caller holds the writer lock. `profile` names the profile that ran.
    /// A removal that happened stands even when its audit line cannot be written: the plan
    /// then carries `auditFailure` (CLI.md "Audit log").
    public func remove(_ selector: RemovalSelector, lock: WriterLock, profile: String? = nil) throws(AgentError) -> Plan {
        let action = profile == nil ? RemovalProfiles.removeAction : RemovalProfiles.runAction
        let detail = (profile.map { "profile \($0), " } ?? "") + "selector \(selector)"
        let audit = AuditLog(layout: layout)
        let planned = try plan(selector)
        var change = LicenseStore.Change()
        change.remove = Set(planned.licenses.map(\.file))
        change.removeRequestFiles = !planned.requestFiles.isEmpty
        var applied = LicenseStore.Applied()
        if !planned.isEmpty {
            do {
                applied = try LicenseStore(layout: layout, lock: lock).apply(change)
            } catch {
                try? audit.append(.init(
                    time: clock, action: action, files: planned.files.map(\.description),
                    licenseIds: planned.licenses.compactMap(\.licenseId),
                    outcome: "failed", detail: detail + "; " + error.sentence))
                throw error
            }
        }
        let removed = Set(applied.removed)
        var done = Plan(selector: selector, licenses: planned.licenses.filter { removed.contains($0.file) },
                        requestFiles: applied.removedRequestFiles)
        done.auditFailure = audit.record(.init(
            time: clock, action: action, files: done.files.map(\.description), licenseIds: done.licenses.compactMap(\.licenseId),
            outcome: "removed \(done.files.count) file(s)", detail: detail))
        return done
    }

    /// `remove`: takes the writer lock, then removes what `selector` takes.
    public func remove(_ selector: RemovalSelector) throws(AgentError) -> Plan {
        try WriterLock.withLock(layout: layout, purpose: RemovalProfiles.removeAction) { lock throws(AgentError) in
            try remove(selector, lock: lock)
        }
    }

    // MARK: The assigned profile

    /// What `runAssigned` did.
    public struct ProfileRun: Sendable {
        public enum Outcome: Sendable {
            case noneAssigned
            case ran(RemovalProfile, removed: Plan)
            /// Two or more assigned, or one that is not a valid profile (`profile-refused`).
            case refused(reason: String)
            /// Assigned after the configuration froze (`profile-frozen`).
            case frozen(RemovalProfile, reason: String)
        }

        /// The assigned file names found in `/wfs/license-profiles/`.
        public let assignedFiles: [FileName]
        public let outcome: Outcome

        /// `profiles run`: 0 ran or none assigned, 2 refused (also when frozen).
        public var exitStatus: Int32 {
            switch outcome {
            case .refused, .frozen: 2
            case .noneAssigned, .ran: 0
            }
        }
    }

    /// Runs the assigned profile, as `check` does first and `profiles run` does on demand.
    /// A refusal removes nothing, is written to the audit log and returned, not thrown, so
    /// that `check` continues with the licenses untouched.
    /// - Parameter inspect: today's report, asked for only when the marker alone would stop
    ///   the profile (a renewal may have lifted the freeze); when it gives none, the marker decides.
    public func runAssigned(lock: WriterLock, inspect: () -> DeviceReport?) throws(AgentError) -> ProfileRun {
        switch try assignment() {
        case .none:
            return ProfileRun(assignedFiles: [], outcome: .noneAssigned)
        case .refused(let files, let reason):
            auditRefusal(files, outcome: "refused", reason: reason)
            return ProfileRun(assignedFiles: files, outcome: .refused(reason: reason))
        case .one(let profile, let file, let record):
            if frozenReason(record, report: nil) != nil, let reason = frozenReason(record, report: inspect()) {
                auditRefusal([file], outcome: "frozen", reason: reason)
                return ProfileRun(assignedFiles: [file], outcome: .frozen(profile, reason: reason))
            }
            let removed = try remove(profile.selector, lock: lock, profile: profile.name)
            return ProfileRun(assignedFiles: [file], outcome: .ran(profile, removed: removed))
        }
    }

    /// `profiles run`: takes the writer lock, then runs the assigned profile. The removal and
    /// the inspection a frozen assignment asks for share one verifier.
    public func runAssigned() throws(AgentError) -> ProfileRun {
        try WriterLock.withLock(layout: layout, purpose: "profiles run") { lock throws(AgentError) in
            let verification = verification ?? LicenseVerification(layout: layout)
            let profiles = RemovalProfiles(layout: layout, clock: clock, verification: verification)
            return try profiles.runAssigned(lock: lock, inspect: {
                try? DeviceInspector(layout: layout, clock: clock).inspect(verification: verification)
            })
        }
    }

    /// The refusal is the answer; a missing audit line for it is only logged.
    private func auditRefusal(_ files: [FileName], outcome: String, reason: String) {
        if let failure = AuditLog(layout: layout).record(.init(
            time: clock, action: RemovalProfiles.runAction, files: files.map(\.description), outcome: outcome, detail: reason)) {
            log.warning("\(failure.sentence)")
        }
    }

    /// The assigned profile as `status` shows it; nil when none is assigned. Never throws:
    /// a problem reading it is shown as state `error` with the reason.
    /// `report`, when given, supplies the verified documents, so `status` and `check` do not
    /// verify every license a second time for the summary.
    public func summary(of report: DeviceReport? = nil) -> RemovalProfileSummary? {
        let assignment: Assignment
        do { assignment = try self.assignment() } catch {
            return RemovalProfileSummary(name: "", selector: "", state: "error", wouldRemove: [], detail: error.sentence)
        }
        switch assignment {
        case .none:
            return nil
        case .refused(let files, let reason):
            let names = files.map { name in
                name.hasSuffix(RemovalProfile.fileExtension)
                    ? FileName(bytes: name.bytes.dropLast(RemovalProfile.fileExtension.utf8.count)).description : name.description
            }
            return RemovalProfileSummary(name: names.joined(separator: ", "), selector: "", state: "refused",
                                         wouldRemove: [], detail: reason + "; nothing will be removed")
        case .one(let profile, _, let record):
            if let reason = frozenReason(record, report: report) {
                return RemovalProfileSummary(name: profile.name, selector: profile.selector.description, state: "frozen",
                                             wouldRemove: [], detail: reason + "; nothing will be removed while the configuration is frozen")
            }
            do {
                let planned = try plan(profile.selector,
                                       verified: report?.licenses.map { (file: $0.file, document: $0.document) })
                let ids = planned.licenses.compactMap(\.licenseId)
                let what = planned.isEmpty ? "nothing matches now"
                    : "\(planned.files.count) file(s) at the next start" + (ids.isEmpty ? "" : " (license \(ids.joined(separator: ", ")))")
                return RemovalProfileSummary(name: profile.name, selector: profile.selector.description, state: "assigned",
                                             wouldRemove: planned.files.map(\.description),
                                             detail: "removes \(profile.selector.explanation): \(what)")
            } catch {
                return RemovalProfileSummary(name: profile.name, selector: profile.selector.description, state: "error",
                                             wouldRemove: [], detail: error.sentence)
            }
        }
    }
}
