import LicensePlatform
import LicensePolicy

/// The one owner of the license partition: every change to `/license` (imports, removal
/// profiles, `remove`, activation request files) goes through here.
///
/// Guarantees (CLI.md "Imports", "The license partition's mount", "Replace"):
/// - `/license`, when it is a read-only mount, is writable only inside `apply`, and is
///   restored exactly as found afterwards on success, error or termination signal (signals
///   are held off while it is writable). A read-write or unmounted `/license` is left as found.
/// - A change of the license set is atomic across power cuts: the new set is built in a
///   hidden staging directory beside `dsa/licenses` (hard links for kept files, fsync'ed new
///   files) and swapped in with one `RENAME_EXCHANGE`. Readers see the old set or the new
///   set, never a mixture, and a staging directory never looks like a license.
/// - Names are bytes: every entry is linked, kept or removed by the exact name the kernel
///   listed, so a name that is not UTF-8, or differs from another only in normalisation,
///   is handled as itself.
/// - Only `*.lic` files and `/license/fetch*` are ever removed; notes, `.keep` files and
///   backups in `dsa/licenses` are carried into every new set.
/// - The caller holds the writer lock; the `WriterLock` it passes is the proof.
public struct LicenseStore {
    public let layout: DeviceLayout
    private let lock: WriterLock

    /// What one `apply` should do to the partition.
    public struct Change: Sendable {
        /// New license files: the preferred file name and the verified bytes to install.
        public var add: [(name: FileName, bytes: [UInt8])] = []
        /// Installed license files (names in `dsa/licenses`) to remove.
        public var remove: Set<FileName> = []
        /// Remove every installed `*.lic` file except those in `keep` (`--replace`, profile `all`).
        public var removeAllLicenses = false
        /// With `removeAllLicenses`: installed files that are part of the new set.
        public var keep: Set<FileName> = []
        /// Remove the `fetch*` request files at the top of `/license`.
        public var removeRequestFiles = false
        /// Write a request file (`fetch.req`) at the top of `/license`.
        public var writeRequest: [UInt8]?

        public init() {}

        var changesLicenseSet: Bool { !add.isEmpty || !remove.isEmpty || removeAllLicenses }
    }

    /// What `apply` did, for output and the audit log.
    public struct Applied: Sendable, Equatable {
        /// Installed file names, in the order of `Change.add`.
        public var installed: [FileName] = []
        public var removed: [FileName] = []
        public var removedRequestFiles: [FileName] = []

        public init() {}
    }

    public static let requestFileName: FileName = "fetch.req"
    static let stagingPrefix = ".licenses-staging-"
    static let licensesName: FileName = "licenses"

    public init(layout: DeviceLayout, lock: WriterLock) {
        self.layout = layout
        self.lock = lock
    }

    /// The `fetch*` request files at the top of `/license` (read-only; no lock needed).
    public static func requestFiles(layout: DeviceLayout) throws(AgentError) -> [FileName] {
        (try OpenDirectory.open(layout.licensePartition)?.entries() ?? [])
            .filter { $0.name.hasPrefix("fetch") && $0.kind != .directory }.map(\.name)
    }

    /// Applies `change` atomically with `/license` writable for as short a time as possible.
    public func apply(_ change: Change) throws(AgentError) -> Applied {
        precondition(lock.isHeld, "LicenseStore.apply needs the writer lock")
        guard let partition = try OpenDirectory.open(layout.licensePartition) else {
            throw AgentError(.io, "The license partition does not exist", path: layout.licensePartition,
                             remedy: "Check that /license is mounted")
        }
        return try withWritablePartition { () throws(AgentError) -> Applied in
            var applied = Applied()
            if let request = change.writeRequest {
                try partition.replace(LicenseStore.requestFileName, with: request)
            }
            if change.changesLicenseSet {
                do throws(AgentError) {
                    applied = try replaceLicenseSet(change, in: partition)
                } catch {
                    throw nothingChanged(error)
                }
            }
            if change.removeRequestFiles {
                let removeRequests = { () throws(AgentError) in
                    for entry in try partition.entries() where entry.name.hasPrefix("fetch") && entry.kind != .directory {
                        try partition.removeFile(entry.name)
                        applied.removedRequestFiles.append(entry.name)
                    }
                    try partition.synchronize()
                }
                // After a new set went in, the request files are cleanup: the next change retries.
                if change.changesLicenseSet {
                    bestEffort("remove the license request files") { () throws(AgentError) in try removeRequests() }
                } else {
                    try removeRequests()
                }
            }
            return applied
        }
    }

    /// Builds the new set in a staging directory and swaps it in.
    private func replaceLicenseSet(_ change: Change, in partition: OpenDirectory) throws(AgentError) -> Applied {
        try partition.makeDirectory("dsa", existingIsFine: true)
        guard let parent = try partition.directory("dsa") else {
            throw AgentError(.io, "Cannot open the license directory's parent", path: partition.display("dsa"))
        }
        try removeAbandonedStaging(in: parent)
        let live = try parent.directory(LicenseStore.licensesName)
        let existing = try live?.entries() ?? []
        // Only files are carried into the new set; a subdirectory would be lost with the old
        // one, so the change is refused and the administrator decides where it goes.
        if let live, let directory = existing.first(where: { $0.kind == .directory }) {
            throw AgentError(.invalidData, "The license directory holds a subdirectory, which the agent never changes",
                             path: live.display(directory.name),
                             remedy: "Move it out of /license/dsa/licenses, then try again")
        }
        let stagingName = FileName(LicenseStore.stagingPrefix + String(CurrentProcess.id))
        do throws(AgentError) {
            try parent.makeDirectory(stagingName)
        } catch {
            // A full /license: a change that only removes needs no new block.
            guard change.add.isEmpty, let live, Self.isNoSpace(error) else { throw error }
            var applied = Applied()
            applied.removed = try removeInPlace(existing.map(\.name).filter { doomed($0, by: change) }, from: live)
            return applied
        }
        guard let staging = try parent.directory(stagingName) else {
            throw AgentError(.io, "The staging directory vanished", path: parent.display(stagingName))
        }

        var applied = Applied()
        var taken = Set<FileName>()
        for entry in existing where !DurableFile.isTemporary(entry.name) {
            if doomed(entry.name, by: change) {
                applied.removed.append(entry.name)
            } else if let live {
                try live.link(entry.name, into: staging, as: entry.name)
                taken.insert(entry.name)
            }
        }
        for (preferred, bytes) in change.add {
            let name = LicenseStore.freeName(LicenseStore.safeName(preferred), taken: taken)
            try staging.writeNewFile(name, bytes)
            taken.insert(name)
            applied.installed.append(name)
        }
        try staging.synchronize()
        if live == nil {
            try parent.rename(stagingName, to: LicenseStore.licensesName)
        } else {
            log.debug("swapping in the new license set: \(applied.installed.count) added, \(applied.removed.count) removed")
            try parent.exchange(stagingName, LicenseStore.licensesName)
            // The commit point: the new set is the live one. What follows is cleanup and
            // cannot undo or fail the change; a leftover old set is an abandoned staging
            // directory, removed at the next change.
            bestEffort("make the swap durable") { () throws(AgentError) in try parent.synchronize() }
            bestEffort("remove the old license set") { () throws(AgentError) in try parent.removeTree(stagingName) }
            bestEffort("make the removal durable") { () throws(AgentError) in try parent.synchronize() }
            return applied
        }
        try parent.synchronize()
        return applied
    }

    /// A failure before the new set was swapped in, said as the administrator knows it: the
    /// license directory rather than the staging directory (that only with `--verbose`),
    /// that nothing was changed, and what to do.
    private func nothingChanged(_ error: AgentError) -> AgentError {
        let inStaging = error.path?.contains(LicenseStore.stagingPrefix) == true
        if inStaging { log.debug("\(error.sentence)") }
        return AgentError(error.code, error.summary + "; nothing was changed",
                          path: inStaging ? layout.licenseDirectory : error.path, cause: error.cause,
                          remedy: error.remedy ?? "Check the free space and the storage of /license, then try again")
    }

    /// True for an installed license file that `change` removes; other files always stay.
    private func doomed(_ name: FileName, by change: Change) -> Bool {
        InstalledLicenses.isLicenseName(name) && !DurableFile.isTemporary(name)
            && (change.remove.contains(name) || (change.removeAllLicenses && !change.keep.contains(name)))
    }

    /// A staging directory left by a writer that died (power cut, kill -9), or an old set
    /// whose removal failed after a change, is removed — as far as it goes: the change at
    /// hand never depends on it, and the next change tries again.
    private func removeAbandonedStaging(in parent: OpenDirectory) throws(AgentError) {
        for entry in try parent.entries() where entry.kind == .directory && entry.name.hasPrefix(LicenseStore.stagingPrefix) {
            bestEffort("remove an abandoned staging directory") { () throws(AgentError) in try parent.removeTree(entry.name) }
        }
    }

    /// Runs cleanup that must not fail a change: a failure is logged, never thrown.
    /// The message names what the administrator knows (`/license`) and the system's reason;
    /// the internal path (a staging directory) only with `--verbose`.
    private func bestEffort(_ what: String, _ body: () throws(AgentError) -> Void) {
        do {
            try body()
        } catch {
            log.warning("The change was made, but license-agent could not \(what) in /license (\(error.cause?.description ?? error.summary)); the next change tries again.")
            log.debug("\(error.sentence)")
        }
    }

    /// Runs `body` with `/license` writable: made writable if it is a read-only mount, and
    /// restored exactly as found afterwards, whatever happens. Termination signals are held
    /// until then. The window is recorded (`PendingRemount`) before it opens and the record
    /// removed once it is closed.
    ///
    /// A restore that still fails after `restoreRetry` does not undo or fail a change that
    /// stood: it is said loudly (`WARNING (license-partition-writable)`), the record stays, and
    /// the next command that takes the writer lock restores read-only. When `body` failed too,
    /// the error names both.
    public func withWritablePartition<T>(_ body: () throws(AgentError) -> T) throws(AgentError) -> T {
        let mountPoint = Mounts.canonicalPath(layout.licensePartition)
        guard let found = try MountInfo.read().entry(forMountPoint: mountPoint), found.isReadOnly else {
            return try body()
        }
        let pending = PendingRemount(layout: layout)
        var record = PendingRemount.Record(mountPoint: mountPoint, mountOptions: found.mountOptions,
                                           superOptions: found.superOptions, since: SystemClock.now().description)
        try pending.write(record)
        return try TerminationSignals.deferred { () throws(AgentError) -> T in
            log.debug("making \(mountPoint) writable (found \(found.mountOptions.joined(separator: ",")))")
            do throws(AgentError) {
                try Mounts.makeWritable(mountPoint, found: found)
            } catch {
                try? pending.remove()
                throw error
            }
            let outcome = Result { () throws(AgentError) -> T in try body() }
            do throws(AgentError) {
                try Self.restoreRetrying(mountPoint, to: found)
                try? pending.remove()
            } catch {
                record.reason = error.sentence
                try? pending.write(record)
                guard case .failure(let bodyFailure) = outcome else {
                    log.warning("WARNING (license-partition-writable): the change was made, but /license could not be made read-only again: \(error.sentence) The next license-agent command retries; a restart also restores it.")
                    return try outcome.get()
                }
                throw AgentError(error.code, error.summary + " after the change itself had failed (\(bodyFailure.sentence))",
                                 path: error.path, cause: error.cause, remedy: error.remedy)
            }
            log.debug("restored \(mountPoint) read-only")
            return try outcome.get()
        }
    }

    /// How long a failing read-only restore is retried (`EBUSY` while another process still
    /// holds a file open for writing there is usually over within moments).
    static let restoreRetry: Duration = .seconds(5)

    static func restoreRetrying(_ mountPoint: String, to found: MountTable.Entry) throws(AgentError) {
        try Mounts.restore(mountPoint, to: found, retryingFor: restoreRetry)
    }

    /// Restores `/license` read-only when an earlier command left it owed (`PendingRemount`):
    /// done first by every command that takes the writer lock. A mount that is read-only
    /// already, or gone, only loses the record; a restore that fails again is logged and the
    /// record stays.
    static func restorePending(layout: DeviceLayout) {
        let pending = PendingRemount(layout: layout)
        guard pending.exists else { return }
        guard let record = pending.read(),
              let now = try? MountInfo.read().entry(forMountPoint: record.mountPoint), !now.isReadOnly else {
            try? pending.remove()
            return
        }
        var wanted = now
        wanted.mountOptions = record.mountOptions
        wanted.superOptions = record.superOptions
        do {
            try restoreRetrying(record.mountPoint, to: wanted)
            try? pending.remove()
            log.notice("restored \(record.mountPoint) read-only, as an earlier command could not")
        } catch {
            log.warning("WARNING (license-partition-writable): /license is still writable: \(error.sentence)")
        }
    }

    /// A file name that is safe in the license directory: letters, digits, `.`, `-`, `_`,
    /// not hidden, ending in `.lic`. Any other byte becomes `_`.
    static func safeName(_ proposed: FileName) -> FileName {
        var base = proposed.hasSuffix(".lic") ? Array(proposed.bytes.dropLast(4)) : proposed.bytes
        base = base.map { byte in
            let allowed = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            return allowed ? byte : UInt8(ascii: "_")
        }
        while base.first == UInt8(ascii: ".") { base.removeFirst() }
        if base.isEmpty { base = Array("license".utf8) }
        return FileName(bytes: base.prefix(120) + Array(".lic".utf8))
    }

    /// `name`, or `name-2.lic`, `name-3.lic`… when taken.
    static func freeName(_ name: FileName, taken: Set<FileName>) -> FileName {
        guard taken.contains(name) else { return name }
        let base = name.bytes.dropLast(4)
        var counter = 2
        while true {
            let candidate = FileName(bytes: base + Array("-\(counter).lic".utf8))
            if !taken.contains(candidate) { return candidate }
            counter += 1
        }
    }
}
