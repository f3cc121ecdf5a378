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
    /// What the call that produced this state did (`.nothing` for a plain `state()`).
    public let action: FreezePolicy.Action

    public static let notFrozen = ConfigurationState(frozen: false, since: nil, snapshotDigest: nil,
                                                     pasExpired: nil, action: .nothing)

    init(marker: FreezeMarker?, action: FreezePolicy.Action) {
        frozen = marker != nil
        since = marker?.sinceDay
        snapshotDigest = marker?.digest
        pasExpired = marker?.pasExpiredDay
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
    enum CodingKeys: String, CodingKey { case frozen, since, pasExpired, snapshotDigest }
}

/// The file side of the frozen configuration (ENTITLEMENTS.md "Frozen configuration"):
/// snapshot, restore and thaw of `/wfs/group.ini`, and `config apply`.
///
/// Files, all under `/wfs/license-agent/` next to the rest of the agent state:
/// - `frozen/group.ini`: the snapshot; `frozen/marker.json`: the marker, written after the
///   snapshot, so a marker always has its snapshot (a crash in between only leaves a stale
///   snapshot that the next freeze overwrites).
/// - `frozen/group.ini.reverted-<time>`: every settings file a restore put aside.
/// - `group.ini.thawed`: the last snapshot, kept when a renewal lifts the freeze.
/// - `/wfs/group.ini.previous`: the settings a `config apply` replaced.
/// Every write is atomic and durable (`DurableFile`), so the settings file is never half
/// written, and nothing the administrator had is dropped without a copy. The caller holds
/// the writer lock; `config apply` takes it in the command.
public struct ConfigurationGuard: Sendable {
    /// The largest settings file the agent reads or installs.
    public static let settingsLimit = 4 << 20

    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public var frozenDirectory: String { layout.path("/wfs/license-agent/frozen") }
    public var snapshotPath: String { frozenDirectory + "/group.ini" }
    public var markerPath: String { frozenDirectory + "/marker.json" }
    public var thawedCopyPath: String { layout.path("/wfs/license-agent/group.ini.thawed") }
    public var previousSettingsPath: String { layout.settingsFile + ".previous" }

    /// The current state, from the marker alone; changes nothing.
    public func state() throws(AgentError) -> ConfigurationState {
        ConfigurationState(marker: try readMarker(), action: .nothing)
    }

    /// `check`'s step: freezes, restores or thaws as `FreezePolicy` decides, and logs it.
    /// - Parameter pas: today's PAS status, nil when the device has no counted PAS license.
    public func enforce(generation: OSGeneration, pas: ProductStatus?, now: Timestamp) throws(AgentError)
        -> ConfigurationState {
        let marker = try readMarker()
        let current = try DurableFile.read(layout.settingsFile, limit: Self.settingsLimit)
        let currentDigest = try current.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        let action = FreezePolicy.decide(generation: generation, pas: pas, marker: marker, settingsDigest: currentDigest)
        switch action {
        case .nothing, .keep:
            return ConfigurationState(marker: marker, action: action)
        case .freeze(let pasExpired):
            let newMarker = try freeze(current, digest: currentDigest, pasExpired: pasExpired, now: now)
            return ConfigurationState(marker: newMarker, action: action)
        case .restore:
            guard let marker else { return ConfigurationState(marker: nil, action: .nothing) }
            try restore(marker, replacing: current, now: now)
            return ConfigurationState(marker: marker, action: action)
        case .thaw:
            guard let marker else { return ConfigurationState(marker: nil, action: .nothing) }
            try thaw(marker, now: now)
            return ConfigurationState(marker: nil, action: action)
        }
    }

    /// `config apply FILE` as the command runs it: takes the writer lock, brings the freeze up
    /// to date with today's licenses (so a PAS that expired since the last `check` freezes
    /// before the new file could slip in, and a renewal thaws), then applies.
    /// When the device cannot be inspected (no keyring, no unit ID), the marker alone decides.
    @discardableResult
    public func applyUnderLock(newFile path: String, clock: Timestamp = SystemClock.now()) throws(AgentError) -> String? {
        try WriterLock.withLock(path: layout.writerLock, purpose: "config apply") { _ throws(AgentError) in
            let report = try? DeviceInspector(layout: layout, clock: clock).inspect()
            let now = report?.trustedTime.value ?? clock
            if let report {
                _ = try enforce(generation: report.generation, pas: report.product("PAS"), now: now)
            }
            return try apply(newFile: path, now: now)
        }
    }

    /// `config apply FILE`: installs `path` as the settings file unless the configuration is
    /// frozen (refused, exit 2) or the file is not `key=value` lines (invalid data, exit 1).
    /// Returns the path of the copy of the settings it replaced, nil when there were none.
    @discardableResult
    public func apply(newFile path: String, now: Timestamp) throws(AgentError) -> String? {
        if let marker = try readMarker() {
            try audit(now, "config-apply", files: [path], outcome: "refused",
                      detail: "frozen since \(marker.since); PAS expired on \(marker.pasExpired)")
            throw AgentError(
                .refused,
                "The configuration is frozen since \(marker.since) because the PAS license expired on \(marker.pasExpired); the settings file was left unchanged",
                remedy: "Import a renewed PAS license to lift the freeze, then apply the settings again")
        }
        guard let contents = try DurableFile.read(path, limit: Self.settingsLimit) else {
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
        let settings = layout.settingsFile
        var previousCopy: String?
        if let previous = try DurableFile.read(settings, limit: Self.settingsLimit) {
            try DurableFile.write(previous, to: previousSettingsPath, mode: [.ownerReadWrite])
            previousCopy = previousSettingsPath
        }
        try DurableFile.write(contents, to: settings)
        try audit(now, "config-apply", files: [path, settings], outcome: "applied",
                  detail: "sha256 \(try Digest.sha256Hex(contents))"
                      + (previousCopy.map { "; previous settings kept as \($0)" } ?? ""))
        return previousCopy
    }

    // MARK: - Steps

    private func freeze(_ current: [UInt8]?, digest: String?, pasExpired: CalendarDay, now: Timestamp)
        throws(AgentError) -> FreezeMarker {
        try DurableFile.makeDirectory(layout.stateDirectory, mode: 0o700)
        try DurableFile.makeDirectory(frozenDirectory, mode: 0o700)
        if let current {
            try DurableFile.write(current, to: snapshotPath, mode: [.ownerReadWrite])
        } else {
            try DurableFile.remove(snapshotPath)
        }
        let marker = FreezeMarker(frozenAt: now, pasExpired: pasExpired, digest: digest)
        try DurableFile.write(JSONOutput.encode(marker, pretty: true), to: markerPath, mode: [.ownerReadWrite])
        try audit(now, "config-freeze", files: [layout.settingsFile, snapshotPath], outcome: "frozen",
                  detail: "PAS expired on \(pasExpired); "
                      + (digest.map { "snapshot sha256 \($0)" } ?? "no settings file to snapshot"))
        return marker
    }

    private func restore(_ marker: FreezeMarker, replacing current: [UInt8]?, now: Timestamp) throws(AgentError) {
        let snapshot = try DurableFile.read(snapshotPath, limit: Self.settingsLimit)
        let snapshotDigest = try snapshot.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        guard snapshotDigest == marker.digest else {
            throw AgentError(.invalidData, "The frozen settings snapshot does not match its marker", path: snapshotPath,
                             cause: .text("expected \(marker.digest ?? "no snapshot"), found \(snapshotDigest ?? "none")"),
                             remedy: "Restore the snapshot from a backup or import a renewed PAS license")
        }
        var files = [layout.settingsFile]
        if let current {
            let stamp = now.description.filter { $0 != "-" && $0 != ":" }
            let aside = "\(frozenDirectory)/group.ini.reverted-\(stamp)"
            try DurableFile.write(current, to: aside, mode: [.ownerReadWrite])
            files.append(aside)
        }
        if let snapshot {
            try DurableFile.write(snapshot, to: layout.settingsFile)
        } else {
            try DurableFile.remove(layout.settingsFile)
        }
        try audit(now, "config-restore", files: files, outcome: "restored",
                  detail: "the settings file changed while frozen (since \(marker.since)); the snapshot was put back"
                      + (files.count > 1 ? " and the changed file kept as \(files[1])" : ""))
    }

    private func thaw(_ marker: FreezeMarker, now: Timestamp) throws(AgentError) {
        var files = [markerPath]
        if let snapshot = try DurableFile.read(snapshotPath, limit: Self.settingsLimit) {
            try DurableFile.write(snapshot, to: thawedCopyPath, mode: [.ownerReadWrite])
            files.append(thawedCopyPath)
        }
        try DurableFile.remove(markerPath)
        try DurableFile.remove(snapshotPath)
        try audit(now, "config-thaw", files: files, outcome: "thawed",
                  detail: "frozen since \(marker.since) (PAS expired on \(marker.pasExpired)); a current license lifts the freeze")
    }

    private func readMarker() throws(AgentError) -> FreezeMarker? {
        guard let bytes = try DurableFile.read(markerPath, limit: 64 << 10) else { return nil }
        do {
            return try JSONDecoder().decode(FreezeMarker.self, from: Data(bytes))
        } catch {
            throw AgentError(.invalidData, "The frozen-configuration marker is unreadable", path: markerPath,
                             cause: .text("\(error)"),
                             remedy: "Restore it from a backup, or import a renewed PAS license and remove it")
        }
    }

    private func audit(_ now: Timestamp, _ action: String, files: [String], outcome: String, detail: String)
        throws(AgentError) {
        try AuditLog(layout: layout).append(
            AuditLog.Entry(time: now, action: action, files: files, outcome: outcome, detail: detail))
    }
}
