import LicensePlatform
import LicensePolicy

/// The one owner of the license partition: every change to `/license` (imports, removal
/// profiles, `remove`, activation request files) goes through here.
///
/// Guarantees (CLI.md "Imports"):
/// - `/license`, when it is a read-only mount, is read-write only inside `apply`, and is
///   read-only again afterwards on success, error or termination signal (signals are held
///   off while it is writable). A read-write or unmounted `/license` is left as found.
/// - A change of the license set is atomic across power cuts: the new set is built in a
///   hidden staging directory beside `dsa/licenses` (hard links for kept files, fsync'ed new
///   files) and swapped in with one `RENAME_EXCHANGE`. Readers see the old set or the new
///   set, never a mixture, and a staging directory never looks like a license.
/// - The caller holds the writer lock; taking a `WriterLock` is the proof.
public final class LicenseStore {
    public let layout: DeviceLayout
    private let lock: WriterLock

    /// What one `apply` should do to the partition.
    public struct Change: Sendable {
        /// New license files: the preferred file name and the verified bytes to install.
        public var add: [(name: String, bytes: [UInt8])] = []
        /// Installed license files (names in `dsa/licenses`) to remove.
        public var remove: Set<String> = []
        /// Remove every installed file that is not being added (`--replace`, profile `all`).
        public var removeAllInstalled = false
        /// Remove the `fetch*` request files at the top of `/license`.
        public var removeRequestFiles = false
        /// Write a request file (`fetch.req`) at the top of `/license`.
        public var writeRequest: [UInt8]?

        public init() {}
    }

    /// What `apply` did, for output and the audit log.
    public struct Applied: Sendable, Equatable {
        /// Installed file names, in the order of `Change.add`.
        public var installed: [String] = []
        public var removed: [String] = []
        public var removedRequestFiles: [String] = []
    }

    public static let requestFileName = "fetch.req"
    static let stagingPrefix = ".licenses-staging-"

    public init(layout: DeviceLayout, lock: WriterLock) {
        self.layout = layout
        self.lock = lock
    }

    /// The names of the `fetch*` request files at the top of `/license` (read-only; no lock needed).
    public static func requestFiles(layout: DeviceLayout) throws(AgentError) -> [String] {
        (try Directory.entries(of: layout.licensePartition) ?? [])
            .filter { $0.name.hasPrefix("fetch") && $0.kind != .directory }.map(\.name)
    }

    /// Applies `change` atomically with `/license` writable for as short a time as possible.
    public func apply(_ change: Change) throws(AgentError) -> Applied {
        try withExtendedLifetime(lock) { () throws(AgentError) -> Applied in
            try withWritablePartition { () throws(AgentError) -> Applied in
                var applied = Applied()
                if let request = change.writeRequest {
                    try DurableFile.makeDirectories(layout.licensePartition)
                    try DurableFile.write(request, to: layout.licensePartition + "/" + LicenseStore.requestFileName)
                }
                if !change.add.isEmpty || !change.remove.isEmpty || change.removeAllInstalled {
                    applied = try replaceLicenseSet(change)
                }
                if change.removeRequestFiles {
                    for name in try LicenseStore.requestFiles(layout: layout) {
                        try DurableFile.remove(layout.licensePartition + "/" + name)
                        applied.removedRequestFiles.append(name)
                    }
                }
                return applied
            }
        }
    }

    /// Builds the new set in a staging directory and swaps it in.
    private func replaceLicenseSet(_ change: Change) throws(AgentError) -> Applied {
        let live = layout.licenseDirectory
        let parent = layout.path("/license/dsa")
        try DurableFile.makeDirectories(parent)
        try removeAbandonedStaging(in: parent)
        let existing = try Directory.entries(of: live) ?? []
        // Only files are carried into the new set; a subdirectory would be lost with the old
        // one, so the change is refused and the administrator decides where it goes.
        if let directory = existing.first(where: { $0.kind == .directory }) {
            throw AgentError(.invalidData, "The license directory holds a subdirectory, which the agent never changes",
                             path: live + "/" + directory.name,
                             remedy: "Move it out of /license/dsa/licenses, then try again")
        }
        let staging = parent + "/" + LicenseStore.stagingPrefix + String(CurrentProcess.id)
        try DirectorySwap.makeDirectory(staging)

        var applied = Applied()
        var taken = Set<String>()
        for entry in existing {
            let doomed = change.removeAllInstalled || change.remove.contains(entry.name)
            if doomed && !DurableFile.isTemporary(entry.name) {
                applied.removed.append(entry.name)
                continue
            }
            guard !DurableFile.isTemporary(entry.name) else { continue }
            try DirectorySwap.hardLink(live + "/" + entry.name, staging + "/" + entry.name)
            taken.insert(entry.name)
        }
        for (preferred, bytes) in change.add {
            let name = LicenseStore.freeName(LicenseStore.safeName(preferred), taken: taken)
            try DirectorySwap.writeNewFile(bytes, to: staging + "/" + name)
            taken.insert(name)
            applied.installed.append(name)
        }
        try DurableFile.synchronizeDirectory(staging)
        if try Directory.entries(of: live) == nil {
            try DurableFile.rename(staging, to: live)
        } else {
            log.debug("swapping in the new license set: \(applied.installed.count) added, \(applied.removed.count) removed")
            try DirectorySwap.exchange(staging, live)
            try DurableFile.synchronizeDirectory(parent)
            try DirectorySwap.removeTree(staging)
        }
        try DurableFile.synchronizeDirectory(parent)
        return applied
    }

    /// A staging directory left by a writer that died (power cut, kill -9) is removed.
    private func removeAbandonedStaging(in parent: String) throws(AgentError) {
        for entry in try Directory.entries(of: parent) ?? []
        where entry.kind == .directory && entry.name.hasPrefix(LicenseStore.stagingPrefix) {
            try DirectorySwap.removeTree(parent + "/" + entry.name)
        }
    }

    /// Runs `body` with `/license` writable: remounted read-write if it is a read-only
    /// mount, and read-only again afterwards whatever happens. Termination signals are held
    /// until the partition is read-only again.
    public func withWritablePartition<T>(_ body: () throws(AgentError) -> T) throws(AgentError) -> T {
        let mountPoint = Mounts.canonicalPath(layout.licensePartition)
        guard let entry = try MountInfo.read().entry(forMountPoint: mountPoint), entry.isReadOnly else {
            return try body()
        }
        return try TerminationSignals.deferred { () throws(AgentError) -> T in
            log.debug("remounting \(mountPoint) read-write")
            try Mounts.remount(mountPoint, readOnly: false, keeping: entry.mountOptions)
            let outcome = Result { () throws(AgentError) -> T in try body() }
            try Mounts.remount(mountPoint, readOnly: true, keeping: entry.mountOptions)
            log.debug("remounted \(mountPoint) read-only")
            return try outcome.get()
        }
    }

    /// A file name that is safe in the license directory: letters, digits, `.`, `-`, `_`,
    /// not hidden, ending in `.lic`.
    static func safeName(_ proposed: String) -> String {
        var base = proposed.hasSuffix(".lic") ? String(proposed.dropLast(4)) : proposed
        base = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
        while base.hasPrefix(".") { base.removeFirst() }
        if base.isEmpty { base = "license" }
        return String(base.prefix(120)) + ".lic"
    }

    /// `name`, or `name-2.lic`, `name-3.lic`… when taken.
    static func freeName(_ name: String, taken: Set<String>) -> String {
        guard taken.contains(name) else { return name }
        let base = name.dropLast(4)
        var counter = 2
        while taken.contains("\(base)-\(counter).lic") { counter += 1 }
        return "\(base)-\(counter).lic"
    }
}
