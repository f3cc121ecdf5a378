import LicensePlatform
import LicensePolicy

/// Verifies license candidates and installs the good ones: the common end of every import
/// path (rescue-shell files, USB sticks, downloads, evaluation activation).
///
/// Candidates are read, verified and dropped one at a time (CLI.md "Memory"): only the bytes
/// of a candidate that verified, is bound to this unit and is not a duplicate are kept until
/// the install, so 10,000 files on a stick cost no more memory than one. The bytes that
/// verified are the bytes installed. Only `valid` and `not-yet-valid` licenses are installed;
/// one already on the device is `already-installed`.
///
/// `replace` means "this set is the new set" (CLI.md "Replace"): the old `*.lic` files and
/// the request files go only when at least one new license went in — so a bad file never
/// leaves the device with fewer licenses — and a candidate that is already installed stays,
/// as part of the new set.
public struct LicenseImport {
    public let layout: DeviceLayout
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// One file offered for import.
    public struct Candidate {
        /// Where it came from, as the user named it (path, device:path, URL), for output.
        public let source: String
        /// The file name to install it under, if it is installed.
        public let preferredName: FileName
        /// Reads the bytes, or says why they cannot be had (then verdict `malformed`).
        public let read: () -> Result<[UInt8], AgentError>

        public init(source: String, preferredName: FileName, read: @escaping () -> Result<[UInt8], AgentError>) {
            self.source = Credentials.redacted(DisplayText.escaping(source))
            self.preferredName = preferredName
            self.read = read
        }
    }

    /// The outcome for one candidate.
    public struct CandidateResult: Sendable, Equatable {
        public let source: String
        public let verdict: Verdict
        public let installedAs: FileName?
        public let detail: String
        public let licenseId: String?
        /// The product the license is for, when its document could be read.
        public let product: String?
    }

    public struct Outcome: Sendable {
        public let results: [CandidateResult]
        /// License and request files removed by `replace`.
        public let removed: [FileName]
        /// Set when licenses were installed or removed but the audit line could not be
        /// written: the change stands, the command warns (CLI.md "Audit log").
        public let auditFailure: AgentError?
        /// The unit ID the candidates were judged against; nil when the device had none, so
        /// that `other-unit` then says something about the device, not about the files.
        public let unit: UnitID?

        /// 0 when a license was installed or was already present, 2 when every candidate was refused.
        public var exitStatus: Int32 {
            results.contains { $0.installedAs != nil || $0.verdict == .alreadyInstalled } ? 0 : 2
        }
    }

    /// Options beyond the candidates.
    public struct Options: Sendable {
        public var replace = false
        /// Remove the request files once a license is installed (activation and fetch).
        public var clearsRequest = false
        /// The audit-log action name (`import`, `import-usb`, `fetch`, `activate`).
        public var action = "import"

        public init(replace: Bool = false, clearsRequest: Bool = false, action: String = "import") {
            self.replace = replace
            self.clearsRequest = clearsRequest
            self.action = action
        }
    }

    /// Imports `candidates` (each read when its turn comes).
    public func run(_ candidates: [Candidate], options: Options) throws(AgentError) -> Outcome {
        try run(options: options) { offer throws(AgentError) in candidates.forEach(offer) }
    }

    /// Under the writer lock: `collect` offers candidates one at a time (a USB import mounts,
    /// offers, and unmounts again inside it), each is verified at once, then the acceptable
    /// ones are installed in one atomic change.
    public func run(options: Options, collect: ((Candidate) -> Void) throws(AgentError) -> Void) throws(AgentError) -> Outcome {
        try WriterLock.withLock(layout: layout, purpose: options.action) { lock throws(AgentError) in
            let verification = LicenseVerification(layout: layout)
            if let problem = verification.trustProblem { throw problem }
            let installed = try verification.examineInstalled(layout: layout)
            let unit = try UnitIDReader(layout: layout).read().unitID
            let state = AgentStateStore(layout: layout).load().state

            var offered = OfferedCandidates(unit: unit)
            try collect { candidate in offered.examine(candidate, with: verification) }
            // A candidate the system failed to read is no verdict about it: nothing is changed.
            if let unreadable = offered.unreadable { throw unreadable }
            log.debug("\(offered.items.count) candidate(s) examined, \(offered.keptBytes.count) kept for installing")

            let trusted = TrustedTime(clock: clock, mark: state.mark, buildDate: BuildInfo.buildDate,
                                      newestIssued: LicenseEvaluation.newestIssued(installed + offered.items.map(\.examined)))
            let installedReports = LicenseEvaluation.judge(installed, unit: unit, today: trusted.today)
                .filter(\.verdict.isCounted)
            let installedIds = Set(installedReports.compactMap(\.document?.licenseId))
            let judged = LicenseEvaluation.judge(offered.items.map(\.examined), unit: unit, today: trusted.today,
                                                 alreadyCounted: installedIds)

            var change = LicenseStore.Change()
            var accepted: [Int] = []
            for (index, report) in judged.enumerated() where report.verdict.isInstallable {
                guard let bytes = offered.keptBytes[index] else { continue }
                change.add.append((offered.items[index].preferredName, bytes))
                accepted.append(index)
            }
            let stillWanted = Set(judged.filter { $0.verdict == .alreadyInstalled }.compactMap(\.document?.licenseId))
            var applied = LicenseStore.Applied()
            if !change.add.isEmpty {
                change.removeAllLicenses = options.replace
                change.keep = Set(installedReports.filter { stillWanted.contains($0.document?.licenseId ?? "") }.map(\.file))
                change.removeRequestFiles = options.replace || options.clearsRequest
                applied = try LicenseStore(layout: layout, lock: lock).apply(change)
            }
            var installedAs: [Int: FileName] = [:]
            for (position, index) in accepted.enumerated() { installedAs[index] = applied.installed[position] }

            let results = judged.enumerated().map { index, report in
                CandidateResult(source: offered.items[index].source, verdict: report.verdict,
                                installedAs: installedAs[index], detail: report.detail,
                                licenseId: report.document?.licenseId, product: report.document?.product)
            }
            let removed = applied.removed + applied.removedRequestFiles
            let auditFailure = AuditLog(layout: layout).record(.init(
                time: clock, action: options.action,
                files: results.map { "\($0.source) -> \($0.installedAs?.description ?? $0.verdict.rawValue)" }
                    + removed.map { "removed \($0)" },
                licenseIds: results.compactMap { $0.installedAs == nil ? nil : $0.licenseId },
                outcome: applied.installed.isEmpty ? "nothing installed" : "installed \(applied.installed.count)"))
            return Outcome(results: results, removed: removed, auditFailure: auditFailure, unit: unit)
        }
    }

    /// The files named on the command line, each taken as the bytes the shell passed.
    public static func localCandidates(arguments: [String]) throws(AgentError) -> [Candidate] {
        try localCandidates(paths: RawArguments.bytes(of: arguments))
    }

    /// The files named on the command line (the rescue shell), as the bytes the shell passed:
    /// a name that is not UTF-8 is opened as itself. Each must exist — a missing file is an
    /// error of the command, not a verdict about a license. Each is read when its turn comes:
    /// no symlinks, regular files only, at most 64 KiB.
    public static func localCandidates(paths: [[UInt8]]) throws(AgentError) -> [Candidate] {
        try paths.map { path throws(AgentError) in
            let display = DisplayText.escaping(path)
            let slash = path.lastIndex(of: UInt8(ascii: "/"))
            let directoryPath = slash.map { $0 == path.startIndex ? [UInt8(ascii: "/")] : Array(path[..<$0]) } ?? Array(".".utf8)
            let name = FileName(bytes: slash.map { path[path.index(after: $0)...] } ?? path[...])
            guard let directory = try OpenDirectory.open(bytes: directoryPath), (try? directory.kind(of: name)) != nil else {
                throw AgentError(.notFound, "No such file", path: display, remedy: "Check the path; nothing was imported")
            }
            return Candidate(source: display, preferredName: name) {
                Result { () throws(AgentError) -> [UInt8] in
                    guard let bytes = try directory.readRegularFile(name, limit: LicenseLimits.maximumFileSize) else {
                        throw AgentError(.notFound, "No such file", path: display)
                    }
                    return bytes
                }
            }
        }
    }
}

/// The candidates of one import as they are offered: each verified at once, its bytes kept
/// only while it may still be installed (verified, bound to this unit, first of its id).
struct OfferedCandidates {
    struct Item {
        let source: String
        let preferredName: FileName
        let examined: LicenseEvaluation.Examined
    }

    let unit: UnitID?
    private(set) var items: [Item] = []
    /// The bytes of installable-looking candidates, by index in `items`.
    private(set) var keptBytes: [Int: [UInt8]] = [:]
    private var keptIds: Set<String> = []

    init(unit: UnitID?) { self.unit = unit }

    /// The first candidate the system failed to read (an I/O error, not a refusal of what it
    /// is): the import then changes nothing and says so.
    private(set) var unreadable: AgentError?

    mutating func examine(_ candidate: LicenseImport.Candidate, with verification: LicenseVerification) {
        let contents = candidate.read()
        if case .failure(let failure) = contents, failure.code == .io, case .errno? = failure.cause, unreadable == nil {
            unreadable = failure.reported(as: .io, "Cannot read \(candidate.source): \(failure.summary). Nothing was changed",
                                          remedy: "Check the medium it is on, then try again")
        }
        let examined = verification.examine(FileName(candidate.source), contents: contents)
        if let document = examined.document, let unit, document.units.contains(unit),
           !keptIds.contains(document.licenseId), case .success(let bytes) = contents {
            keptBytes[items.count] = bytes
            keptIds.insert(document.licenseId)
        }
        items.append(Item(source: candidate.source, preferredName: candidate.preferredName, examined: examined))
    }
}
