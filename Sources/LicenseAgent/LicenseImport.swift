import LicensePlatform
import LicensePolicy

/// Verifies license candidates and installs the good ones: the common end of every import
/// path (rescue-shell files, USB sticks, downloads, evaluation activation).
///
/// Each candidate's bytes are read once; the bytes that verified are the bytes installed.
/// Only `valid` and `not-yet-valid` licenses are installed; one already on the device is
/// `already-installed`. `replace` removes the old licenses and request files only when at
/// least one new license went in, so a bad file never leaves the device with fewer licenses.
public struct LicenseImport {
    public let layout: DeviceLayout
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// One file offered for import.
    public struct Candidate: Sendable {
        /// Where it came from, as the user named it (path, device:path, URL).
        public let source: String
        /// The file name to install it under, if it is installed.
        public let preferredName: String
        /// The bytes, or why they could not be read (becomes verdict `malformed`).
        public let contents: Result<[UInt8], AgentError>

        public init(source: String, preferredName: String, contents: Result<[UInt8], AgentError>) {
            self.source = source
            self.preferredName = preferredName
            self.contents = contents
        }
    }

    /// The outcome for one candidate.
    public struct CandidateResult: Sendable, Equatable {
        public let source: String
        public let verdict: Verdict
        public let installedAs: String?
        public let detail: String
        public let licenseId: String?
    }

    public struct Outcome: Sendable {
        public let results: [CandidateResult]
        /// License and request files removed by `replace`.
        public let removed: [String]

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

    /// Verifies every candidate and installs the acceptable ones under the writer lock.
    public func run(_ candidates: [Candidate], options: Options) throws(AgentError) -> Outcome {
        let lock = try WriterLock(path: layout.writerLock, purpose: options.action)
        let inspector = DeviceInspector(layout: layout, clock: clock)
        let installed = try inspector.examineInstalledLicenses()
        let unit = try UnitIDReader(layout: layout).read().unitID
        let state = AgentStateStore(layout: layout).load()
        let verifier = try CMSLicenseVerifier(keyringPath: layout.keyring, crlPath: layout.crl)

        let examined = candidates.map { candidate in
            switch candidate.contents {
            case .success(let bytes):
                return LicenseEvaluation.examine(file: candidate.source, signature: verifier.check(bytes))
            case .failure(let error):
                return LicenseEvaluation.examine(file: candidate.source, signature: .refused(.malformed, detail: error.sentence))
            }
        }
        let trusted = TrustedTime(clock: clock, mark: state.mark, buildDate: BuildInfo.buildDate,
                                  newestIssued: LicenseEvaluation.newestIssued(installed + examined))
        let installedIds = Set(LicenseEvaluation.judge(installed, unit: unit, today: trusted.today)
            .filter(\.verdict.isCounted).compactMap(\.document?.licenseId))
        let judged = LicenseEvaluation.judge(examined, unit: unit, today: trusted.today, alreadyCounted: installedIds)

        var change = LicenseStore.Change()
        var acceptedIndices: [Int] = []
        for (index, report) in judged.enumerated() where report.verdict.isInstallable {
            guard case .success(let bytes) = candidates[index].contents else { continue }
            change.add.append((candidates[index].preferredName, bytes))
            acceptedIndices.append(index)
        }
        var applied = LicenseStore.Applied()
        if !change.add.isEmpty {
            change.removeAllInstalled = options.replace
            change.removeRequestFiles = options.replace || options.clearsRequest
            applied = try LicenseStore(layout: layout, lock: lock).apply(change)
        }
        var installedAs: [Int: String] = [:]
        for (position, index) in acceptedIndices.enumerated() { installedAs[index] = applied.installed[position] }

        let results = judged.enumerated().map { index, report in
            CandidateResult(source: candidates[index].source, verdict: report.verdict, installedAs: installedAs[index],
                   detail: report.detail, licenseId: report.document?.licenseId)
        }
        let removed = applied.removed + applied.removedRequestFiles
        try AuditLog(layout: layout).append(.init(
            time: clock, action: options.action,
            files: results.map { "\($0.source) -> \($0.installedAs ?? $0.verdict.rawValue)" } + removed.map { "removed \($0)" },
            licenseIds: results.compactMap { $0.installedAs == nil ? nil : $0.licenseId },
            outcome: applied.installed.isEmpty ? "nothing installed" : "installed \(applied.installed.count)"))
        return Outcome(results: results, removed: removed)
    }

    /// Reads a local file as a candidate: no symlinks, regular files only, at most 64 KiB.
    public static func candidate(path: String) -> Candidate {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let contents = Swift.Result { () throws(AgentError) -> [UInt8] in
            guard let bytes = try DurableFile.read(path, limit: LicenseLimits.maximumFileSize) else {
                throw AgentError(.io, "No such file", path: path)
            }
            return bytes
        }
        return Candidate(source: path, preferredName: name, contents: contents)
    }
}
