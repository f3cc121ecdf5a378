import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Whether the device settings are frozen, as `check`, `status` and `config status` report it.
public struct ConfigurationState: Sendable, Equatable, Encodable {
    public let frozen: Bool
    /// The day the configuration froze.
    @ExplicitNull public var since: CalendarDay?
    /// The expiry day of the PAS that froze it.
    @ExplicitNull public var pasExpired: CalendarDay?
    /// SHA-256 (hex) of the frozen snapshot; nil when not frozen or when no settings file existed.
    @ExplicitNull public var snapshotDigest: String?
    /// `last-good` (recorded while the PAS was active) or `found` (the agent never saw an
    /// active PAS on this device); nil when not frozen.
    @ExplicitNull public var snapshotSource: FreezeMarker.SnapshotSource?
    /// When the last good configuration that was frozen had been recorded.
    @ExplicitNull public var snapshotRecordedAt: String?
    /// What the call that produced this state did (`.nothing` for a plain `state()`).
    public let action: FreezePolicy.Action

    public static let notFrozen = ConfigurationState(marker: nil, action: .nothing)

    init(marker: FreezeMarker?, action: FreezePolicy.Action) {
        frozen = marker != nil
        since = marker?.sinceDay
        snapshotDigest = marker?.digest
        pasExpired = marker?.pasExpiredDay
        snapshotSource = marker?.source
        snapshotRecordedAt = marker?.snapshotRecordedAt
        self.action = action
    }

    init(frozen: Bool, since: CalendarDay?, snapshotDigest: String?, pasExpired: CalendarDay?,
         action: FreezePolicy.Action) {
        self.frozen = frozen
        self.since = since
        self.snapshotDigest = snapshotDigest
        self.pasExpired = pasExpired
        self.action = action
    }

    /// `action` is what one call did, not state: it stays out of the JSON.
    enum CodingKeys: String, CodingKey { case frozen, since, pasExpired, snapshotDigest, snapshotSource, snapshotRecordedAt }
}

/// The file side of the frozen configuration (ENTITLEMENTS.md "Frozen configuration"):
/// the last good configuration, snapshot, restore and thaw of `/wfs/group.ini`, and `config apply`.
///
/// Files, all under `/wfs/license-agent/` next to the rest of the agent state:
/// - `last-good/`: the settings recorded while the PAS was active (`LastGoodConfiguration`).
/// - `frozen/group.ini`: the snapshot; `frozen/marker.json`: the marker, written after the
///   snapshot, so a marker always has its snapshot (a crash in between only leaves a stale
///   snapshot that the next freeze overwrites).
/// - `frozen/group.ini.reverted-<time>`: every settings file a restore put aside.
/// - `group.ini.thawed`: the last snapshot, kept when a renewal lifts the freeze.
/// - `/wfs/group.ini.previous`: the settings a `config apply` replaced.
/// The five delivery keys (`DeliveryKeys`, DELIVERY.md) are never reverted: a restore keeps
/// the current ones, and a frozen `config apply` installs a change of those alone. The marker
/// also records the removal profiles assigned when the configuration froze (`RemovalProfiles`
/// lets only those run while frozen).
/// Every write is atomic and durable (`OpenDirectory.replace`), so the settings file is never half
/// written, and nothing the administrator had is dropped without a copy. The caller holds
/// the writer lock; `config apply` takes it in the command.
public struct ConfigurationGuard: Sendable {
    /// The largest settings file the agent reads or installs (DELIVERY.md "Settings keys").
    public static let settingsLimit = 1 << 20

    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public var frozenDirectory: String { layout.path("/wfs/license-agent/frozen") }
    public var snapshotPath: String { frozenDirectory + "/group.ini" }
    public var markerPath: String { frozenDirectory + "/marker.json" }
    public var thawedCopyPath: String { layout.path("/wfs/license-agent/group.ini.thawed") }
    public var previousSettingsPath: String { layout.settingsFile + ".previous" }
    var lastGood: LastGoodConfiguration { LastGoodConfiguration(layout: layout) }

    /// The current state, from the marker alone; changes nothing.
    public func state() throws(AgentError) -> ConfigurationState {
        ConfigurationState(marker: try readMarker(), action: .nothing)
    }

    /// `check`'s step: records the last good configuration while the PAS is active, and
    /// freezes, restores or thaws as `FreezePolicy` decides, and logs it.
    /// - Parameter pas: today's PAS status, nil when the device has no counted PAS license.
    public func enforce(generation: OSGeneration, pas: ProductStatus?, now: Timestamp) throws(AgentError)
        -> ConfigurationState {
        let found = try settingsAndFreeze()
        let (marker, current, snapshot) = (found.marker, found.current, found.snapshot)
        let action = FreezePolicy.decide(generation: generation, pas: pas, marker: marker,
                                         settingsMatchSnapshot: found.settingsMatchSnapshot)
        switch action {
        case .keep:
            try recordAssignedProfilesIfUnknown(marker)
            return ConfigurationState(marker: marker, action: action)
        case .nothing:
            try recordIfActive(current, generation: generation, pas: pas, now: now)
            return ConfigurationState(marker: marker, action: action)
        case .freeze(let pasExpired):
            let newMarker = try freeze(current, pasExpired: pasExpired, now: now)
            return ConfigurationState(marker: newMarker, action: action)
        case .restore:
            guard let marker, let snapshot else { return ConfigurationState(marker: nil, action: .nothing) }
            try restore(snapshot, since: marker.since, replacing: current, now: now)
            try recordAssignedProfilesIfUnknown(marker)
            return ConfigurationState(marker: marker, action: action)
        case .thaw:
            guard let marker else { return ConfigurationState(marker: nil, action: .nothing) }
            try thaw(marker, now: now)
            try recordIfActive(current, generation: generation, pas: pas, now: now)
            return ConfigurationState(marker: nil, action: action)
        }
    }

    /// `config apply FILE` as the command runs it: takes the writer lock, brings the freeze up
    /// to date with today's licenses (so a PAS that expired since the last `check` freezes
    /// before the new file could slip in, and a renewal thaws), then applies.
    /// When the device cannot be inspected (no keyring, no unit ID), the marker alone decides.
    @discardableResult
    public func applyUnderLock(newFile path: [UInt8], clock: Timestamp = SystemClock.now()) throws(AgentError) -> Applied {
        try WriterLock.withLock(layout: layout, purpose: "config apply") { _ throws(AgentError) in
            let report = try? DeviceInspector(layout: layout, clock: clock).inspect()
            let now = report?.trustedTime.value ?? clock
            if let report {
                _ = try enforce(generation: report.generation, pas: report.product("PAS"), now: now)
            }
            return try apply(newFile: path, now: now, generation: report?.generation, pas: report?.product("PAS"))
        }
    }

    /// What `config apply` did.
    public struct Applied: Sendable, Equatable {
        /// The copy of the settings it replaced (`/wfs/group.ini.previous`), nil when there were none.
        public let previous: String?
        /// True when the configuration is frozen and only the delivery keys were installed.
        public let deliveryKeysOnly: Bool
        /// What failed after the new settings stood (the last good record): said, never a
        /// failure of the change. A missing audit line is warned about where it happens.
        public var warnings: [String] = []
    }

    /// `config apply FILE`: installs `path` as the settings file unless the configuration is
    /// frozen (refused, exit 2) or the file is not `key=value` lines (invalid data, exit 1).
    /// While frozen, a file that differs from the snapshot only in the five delivery keys
    /// is accepted, and only those keys are installed. With `generation` and `pas` given and
    /// the PAS active, the new settings become the last good configuration.
    @discardableResult
    public func apply(newFile path: String, now: Timestamp, generation: OSGeneration? = nil,
                      pas: ProductStatus? = nil) throws(AgentError) -> Applied {
        try apply(newFile: Array(path.utf8), now: now, generation: generation, pas: pas)
    }

    /// `apply(newFile:now:generation:pas:)` for the file the command line names, as the bytes
    /// the shell passed (CLI.md "File names, output and secrets"); messages show it escaped.
    @discardableResult
    public func apply(newFile pathBytes: [UInt8], now: Timestamp, generation: OSGeneration? = nil,
                      pas: ProductStatus? = nil) throws(AgentError) -> Applied {
        let path = DisplayText.escaping(pathBytes)
        guard let contents = try RegularFile.read(bytes: pathBytes, limit: Self.settingsLimit) else {
            throw AgentError(.io, "The new settings file does not exist", path: path,
                             remedy: "Give the path of an existing file")
        }
        guard String(validating: contents, as: UTF8.self) != nil else {
            throw AgentError(.invalidData, "The new settings file is not UTF-8 text", path: path,
                             remedy: "Save it as UTF-8 and apply it again")
        }
        let parsed = Settings(parsing: contents)
        guard parsed.problems.isEmpty else {
            let lines = parsed.problems.prefix(3).map(\.description).joined(separator: "; ")
            throw AgentError(.invalidData, "The new settings file has lines that are not key=value", path: path,
                             cause: .text(lines), remedy: "Fix those lines and apply the file again")
        }
        var installing = contents
        var deliveryKeysOnly = false
        if let marker = try readMarker() {
            let snapshot = try readSnapshot(of: marker)
            guard DeliveryKeys.sameConfiguration(contents, snapshot) else {
                audit(now, "config-apply", files: [path], outcome: "refused",
                          detail: "frozen since \(marker.since); PAS expired on \(marker.pasExpired)")
                throw AgentError(
                    .refused,
                    "The configuration is frozen since \(marker.since) because the PAS license expired on \(marker.pasExpired); the settings file was left unchanged",
                    remedy: "Import a renewed PAS license to lift the freeze, then apply the settings again (only the license delivery keys may change while frozen: \(DeliverySettings.deliveryKeys.joined(separator: ", ")))")
            }
            installing = DeliveryKeys.restoring(snapshot, keepingDeliveryKeysOf: contents) ?? []
            deliveryKeysOnly = true
        }
        let settings = layout.settingsFile
        let wfs = try directory(layout.settingsDirectory, holding: settings)
        var previousCopy: String?
        if let previous = try wfs.read(Self.settingsName, limit: Self.settingsLimit) {
            try wfs.replace(Self.previousSettingsName, with: previous, mode: 0o600)
            previousCopy = previousSettingsPath
        }
        let installingDigest = try Digest.sha256Hex(installing)
        let notDurable = try wfs.replace(Self.settingsName, with: installing)
        // The commit point: the new settings stand, whatever fails from here on.
        var applied = Applied(previous: previousCopy, deliveryKeysOnly: deliveryKeysOnly)
        if let notDurable {
            applied.warnings.append("Warning: the settings were applied, but /wfs could not be flushed to disk: \(notDurable.sentence) A power cut now may bring the previous settings back.")
        }
        audit(now, "config-apply", files: [path, settings], outcome: deliveryKeysOnly ? "applied delivery keys" : "applied",
              detail: (deliveryKeysOnly ? "frozen: only license delivery keys changed and were installed; " : "")
                  + "sha256 \(installingDigest)" + (previousCopy.map { "; previous settings kept as \($0)" } ?? ""))
        if let generation {
            do {
                try recordIfActive(installing, generation: generation, pas: pas, now: now)
            } catch {
                applied.warnings.append("Warning: the settings were applied, but could not be recorded as the last good configuration: \(error.sentence) The next check or settings change records them again.")
            }
        }
        return applied
    }

    // MARK: - Steps

    private func recordIfActive(_ settings: [UInt8]?, generation: OSGeneration, pas: ProductStatus?,
                                now: Timestamp) throws(AgentError) {
        guard FreezePolicy.recordsLastGood(generation: generation, pas: pas), let pas else { return }
        try lastGood.record(settings, pasExpires: pas.expires, now: now)
    }

    /// Freezes the last good configuration (or, when none was recorded, what it finds), and
    /// puts it back when the settings file has changed since it was recorded.
    private func freeze(_ current: [UInt8]?, pasExpired: CalendarDay, now: Timestamp)
        throws(AgentError) -> FreezeMarker {
        let recorded = try lastGood.read()
        let snapshot = recorded.map(\.settings) ?? current
        let digest = try snapshot.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        _ = try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
        let frozen = try OpenDirectory.create(frozenDirectory, mode: 0o700)
        if let snapshot {
            try frozen.replace(Self.snapshotName, with: snapshot, mode: 0o600)
        } else {
            try frozen.removeFileDurably(Self.snapshotName)
        }
        let marker = FreezeMarker(frozenAt: now, pasExpired: pasExpired, digest: digest,
                                  source: recorded == nil ? .found : .lastGood,
                                  recordedAt: recorded?.record.recordedTime,
                                  assignedProfiles: assignedProfilesNow())
        try frozen.replace(Self.markerName, with: JSONOutput.encode(marker, pretty: true), mode: 0o600)
        let origin = recorded.map { "the last good configuration recorded \($0.record.recordedAt)" }
            ?? "the settings found now (this device was never seen with an active PAS)"
        audit(now, "config-freeze", files: [layout.settingsFile, snapshotPath], outcome: "frozen",
                  detail: "PAS expired on \(pasExpired); snapshot: \(origin); "
                      + (digest.map { "sha256 \($0)" } ?? "no settings file"))
        if !DeliveryKeys.sameConfiguration(current, snapshot) {
            try restore(snapshot, since: marker.since, replacing: current, now: now)
        }
        return marker
    }

    /// Puts `snapshot` back (keeping the current delivery keys) and keeps the replaced file aside.
    private func restore(_ snapshot: [UInt8]?, since: String, replacing current: [UInt8]?, now: Timestamp)
        throws(AgentError) {
        var files = [layout.settingsFile]
        if let current {
            let stamp = now.description.filter { $0 != "-" && $0 != ":" }
            let aside = FileName("group.ini.reverted-\(stamp)")
            let frozen = try directory(frozenDirectory, holding: "\(frozenDirectory)/\(aside)")
            try frozen.replace(aside, with: current, mode: 0o600)
            files.append(frozen.display(aside))
        }
        if let restored = DeliveryKeys.restoring(snapshot, keepingDeliveryKeysOf: current) {
            try directory(layout.settingsDirectory, holding: layout.settingsFile).replace(Self.settingsName, with: restored)
        } else {
            try OpenDirectory.open(layout.settingsDirectory)?.removeFileDurably(Self.settingsName)
        }
        audit(now, "config-restore", files: files, outcome: "restored",
                  detail: "the settings file differs from the frozen configuration (since \(since)); the snapshot was put back, the license delivery keys kept"
                      + (files.count > 1 ? ", and the changed file kept as \(files[1])" : ""))
    }

    private func thaw(_ marker: FreezeMarker, now: Timestamp) throws(AgentError) {
        var files = [markerPath]
        let frozen = try OpenDirectory.open(frozenDirectory)
        if let snapshot = try frozen?.read(Self.snapshotName, limit: Self.settingsLimit) {
            try directory(layout.stateDirectory, holding: thawedCopyPath)
                .replace(Self.thawedCopyName, with: snapshot, mode: 0o600)
            files.append(thawedCopyPath)
        }
        try frozen?.removeFileDurably(Self.markerName)
        try frozen?.removeFileDurably(Self.snapshotName)
        audit(now, "config-thaw", files: files, outcome: "thawed",
                  detail: "frozen since \(marker.since) (PAS expired on \(marker.pasExpired)); a current license lifts the freeze")
    }

    /// The removal profiles assigned now, as the marker records them. A directory that cannot
    /// be read records none: while frozen no profile then runs (the safe side for a step that
    /// deletes licenses); the profile step of the same check reports the error.
    private func assignedProfilesNow() -> [ProfileAssignment] {
        (try? RemovalProfiles(layout: layout).assignmentRecord()) ?? []
    }

    /// A marker written before the assignment was frozen with the settings learns it now, so
    /// that a profile assigned from here on is one assigned after the freeze.
    private func recordAssignedProfilesIfUnknown(_ marker: FreezeMarker?) throws(AgentError) {
        guard var marker, marker.assignedProfiles == nil else { return }
        marker.assignedProfiles = assignedProfilesNow()
        try directory(frozenDirectory, holding: markerPath)
            .replace(Self.markerName, with: JSONOutput.encode(marker, pretty: true), mode: 0o600)
    }

    /// What the freeze decisions read: the marker (nil: not frozen), the settings file (nil:
    /// none) and the frozen snapshot (nil: not frozen; `.some(nil)`: no settings file was frozen).
    struct SettingsAndFreeze {
        let marker: FreezeMarker?
        let current: [UInt8]?
        let snapshot: [UInt8]??

        /// The settings set what the frozen snapshot sets, delivery keys aside (true when not frozen).
        var settingsMatchSnapshot: Bool { snapshot.map { DeliveryKeys.sameConfiguration(current, $0) } ?? true }
    }

    func settingsAndFreeze() throws(AgentError) -> SettingsAndFreeze {
        let marker = try readMarker()
        let current = try OpenDirectory.open(layout.settingsDirectory)?.read(Self.settingsName, limit: Self.settingsLimit)
        let snapshot = try marker.map { marker throws(AgentError) in try readSnapshot(of: marker) }
        return SettingsAndFreeze(marker: marker, current: current, snapshot: snapshot)
    }

    /// One audit line. The audit log is never a reason to stop (CLI.md "Audit log"): a line
    /// that cannot be written is the `audit-incomplete` warning, on stderr.
    private func audit(_ now: Timestamp, _ action: String, files: [String], outcome: String, detail: String) {
        if let failure = AuditLog(layout: layout).record(
            AuditLog.Entry(time: now, action: action, files: files, outcome: outcome, detail: detail)) {
            log.warning("WARNING (audit-incomplete): the \(action) audit line is missing: \(failure.sentence)")
        }
    }
}
