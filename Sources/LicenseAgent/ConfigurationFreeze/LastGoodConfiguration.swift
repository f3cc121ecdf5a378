import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The last good configuration (ENTITLEMENTS.md "Frozen configuration" 1): while the PAS is
/// active, every `check`, every `config apply` and every settings change (`config snapshot`,
/// below) keeps a copy of the settings file, so that the freeze restores the settings "as
/// they were defined before the license expired" rather than whatever the device holds on
/// the first boot after expiry.
///
/// Files, under `/wfs/license-agent/last-good/`: `group.ini`, the copy, and `record.json`
/// (`LastGoodRecord`), whose digest proves the copy is the one recorded. They are written as
/// a pair that a fault at any point leaves whole (CLI.md "Pairs are written in an order that
/// survives a fault"): the new copy goes to `group.ini.next`, then the record (the commit
/// point), then `group.ini.next` is renamed over `group.ini`. A fault before the record
/// leaves the old pair; one after it, a record whose copy is still `group.ini.next`, which
/// `read` takes. A copy is written only when the settings changed
/// since the last record, so a device that boots daily does not rewrite its flash daily.
/// The caller holds the writer lock.
public struct LastGoodConfiguration: Sendable {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public var directory: String { layout.path("/wfs/license-agent/last-good") }
    public var copyPath: String { directory + "/group.ini" }
    public var recordPath: String { directory + "/record.json" }
    static let copyName: FileName = "group.ini"
    static let recordName: FileName = "record.json"
    static let nextCopyName: FileName = "group.ini.next"

    /// The recorded configuration: the record and the copy's bytes (nil: no settings file
    /// then). Nil when nothing was ever recorded.
    public func read() throws(AgentError) -> (record: LastGoodRecord, settings: [UInt8]?)? {
        guard let lastGood = try OpenDirectory.open(directory),
              let bytes = try lastGood.read(Self.recordName, limit: 64 << 10) else { return nil }
        let record: LastGoodRecord
        do {
            record = try JSONDecoder().decode(LastGoodRecord.self, from: Data(bytes))
        } catch {
            throw AgentError(.invalidData, "The record of the last good configuration is unreadable", path: recordPath,
                             cause: .text("\(error)"),
                             remedy: "Remove it; the next check while the PAS is active records the settings again")
        }
        // Recorded without a settings file: a copy left over from before is not part of it.
        guard record.digest != nil else { return (record, nil) }
        var copy = try lastGood.read(Self.copyName, limit: ConfigurationGuard.settingsLimit)
        var digest = try copy.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        if digest != record.digest, let next = try lastGood.read(Self.nextCopyName, limit: ConfigurationGuard.settingsLimit),
           try Digest.sha256Hex(next) == record.digest {
            // The record was written and the rename of its copy did not happen.
            copy = next
            digest = record.digest
        }
        guard digest == record.digest else {
            throw AgentError(.invalidData, "The copy of the last good configuration does not match its record",
                             path: copyPath,
                             cause: .text("expected \(record.digest ?? "no copy"), found \(digest ?? "none")"),
                             remedy: "Restore it from a backup, or remove last-good/ so that the next check records the settings again")
        }
        return (record, copy)
    }

    /// Records `settings` (nil: the device has no settings file) unless that is what is
    /// recorded already. Returns true when something was written.
    @discardableResult
    public func record(_ settings: [UInt8]?, pasExpires: CalendarDay, now: Timestamp) throws(AgentError) -> Bool {
        let digest = try settings.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        if let recorded = try? read(), recorded.record.digest == digest { return false }
        _ = try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
        let lastGood = try OpenDirectory.create(directory, mode: 0o700)
        if let settings {
            try lastGood.replace(Self.nextCopyName, with: settings, mode: 0o600)
        }
        let record = LastGoodRecord(recordedAt: now, digest: digest, pasExpires: pasExpires)
        try lastGood.replace(Self.recordName, with: JSONOutput.encode(record, pretty: true), mode: 0o600)
        // Committed. The copy takes its place; if that fails, `read` finds it as .next, and
        // the next record puts it in place: the pair is whole either way.
        if settings != nil {
            try? lastGood.renameDurably(Self.nextCopyName, to: Self.copyName)
        } else {
            try? lastGood.removeFileDurably(Self.copyName)
        }
        // The pair stands: a missing audit line is said, never a failure of the recording.
        if let failure = AuditLog(layout: layout).record(AuditLog.Entry(
            time: now, action: "config-last-good", files: [layout.settingsFile, copyPath], outcome: "recorded",
            detail: "PAS active until \(pasExpires); "
                + (digest.map { "settings sha256 \($0)" } ?? "no settings file"))) {
            log.warning("WARNING (audit-incomplete): the last good configuration was recorded, but its audit line is missing: \(failure.sentence)")
        }
        return true
    }
}

/// `config snapshot` (ENTITLEMENTS.md "Frozen configuration" 1): the `.path` unit on
/// `/wfs/group.ini` runs it at every settings change, so that a change made while the PAS is
/// active — also on its last day, after that day's check — is the last good configuration a
/// freeze keeps. It records and never reverts, freezes or thaws: those are `check`'s.
extension ConfigurationGuard {
    /// What `config snapshot` did.
    public struct Snapshot: Sendable {
        public let decision: FreezePolicy.SnapshotDecision
        /// True when the settings were written as the last good configuration now.
        public let recorded: Bool
        public let generation: OSGeneration
        /// Today's PAS status, nil when the device has no counted PAS license.
        public let pas: ProductStatus?
        /// The freeze as the marker has it (not changed by the snapshot).
        public let configuration: ConfigurationState

        public var exitStatus: Int32 { decision.exitStatus }
    }

    /// `config snapshot` as the command runs it: under the writer lock, with today's licenses.
    public func snapshotUnderLock(clock: Timestamp = SystemClock.now()) throws(AgentError) -> Snapshot {
        try WriterLock.withLock(layout: layout, purpose: "config snapshot") { _ throws(AgentError) in
            let report = try DeviceInspector(layout: layout, clock: clock).inspect()
            return try snapshot(generation: report.generation, pas: report.product("PAS"), now: report.trustedTime.value)
        }
    }

    /// Records the settings file as the last good configuration when `FreezePolicy.snapshot`
    /// says so; otherwise changes nothing. The caller holds the writer lock.
    public func snapshot(generation: OSGeneration, pas: ProductStatus?, now: Timestamp) throws(AgentError) -> Snapshot {
        let found = try settingsAndFreeze()
        let decision = FreezePolicy.snapshot(generation: generation, pas: pas, marker: found.marker,
                                             settingsMatchSnapshot: found.settingsMatchSnapshot)
        var recorded = false
        if decision == .record, let pas {
            recorded = try lastGood.record(found.current, pasExpires: pas.expires, now: now)
        }
        return Snapshot(decision: decision, recorded: recorded, generation: generation, pas: pas,
                        configuration: ConfigurationState(marker: found.marker, action: .nothing))
    }
}

extension ConfigurationGuard.Snapshot {
    /// One sentence for the administrator: what was done, or why nothing was recorded and
    /// what follows from it (stdout for exit 0, stderr for exit 2).
    public func sentence(settingsFile: String) -> String {
        let since = configuration.since.map(\.description) ?? "unknown"
        let expired = configuration.pasExpired.map(\.description) ?? "unknown"
        switch decision {
        case .record:
            let until = pas.map { " (PAS active until \($0.expires))" } ?? ""
            return recorded
                ? "Recorded \(settingsFile) as the last good configuration\(until); a freeze after the PAS expires keeps these settings."
                : "\(settingsFile) is already the last good configuration\(until); nothing recorded."
        case .frozenUnchanged:
            return "The configuration is frozen since \(since) and \(settingsFile) holds the frozen settings; nothing to record."
        case .frozenChanged:
            return "The configuration is frozen since \(since) because the PAS license expired on \(expired); the changed \(settingsFile) was not recorded, and the next check puts the frozen settings back. Import a renewed PAS license to lift the freeze."
        case .freezeDue(let pasExpired):
            return "The PAS license expired on \(pasExpired); \(settingsFile) was not recorded as the last good configuration, and the next check freezes the settings recorded while the PAS was active. Import a renewed PAS license to keep changing the settings."
        case .nothingToRecord:
            return "Nothing to record: only IGEL OS 12 with a PAS subscription freezes its configuration, and \(whyNoFreeze)."
        }
    }

    private var whyNoFreeze: String {
        guard generation == .os12 else { return "this device runs IGEL OS \(generation.rawValue)" }
        guard let pas else { return "this device has no PAS license" }
        if pas.model == .evaluation { return "its PAS is an evaluation, which leaves nothing to freeze when it ends" }
        if pas.state == .notYetValid { return "its PAS license starts on \(pas.starts)" }
        return "its PAS license is \(pas.state.rawValue)"
    }
}
