import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The last good configuration (ENTITLEMENTS.md "Frozen configuration" 1): while the PAS is
/// active, every `check` and `config apply` keeps a copy of the settings file, so that the
/// freeze restores the settings "as they were defined before the license expired" rather
/// than whatever the device holds on the first boot after expiry.
///
/// Files, under `/wfs/license-agent/last-good/`: `group.ini`, the copy, and `record.json`
/// (`LastGoodRecord`), written after the copy, so a record always has its copy and its digest
/// proves the copy is the one recorded. A copy is written only when the settings changed
/// since the last record, so a device that boots daily does not rewrite its flash daily.
/// The caller holds the writer lock.
public struct LastGoodConfiguration: Sendable {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public var directory: String { layout.path("/wfs/license-agent/last-good") }
    public var copyPath: String { directory + "/group.ini" }
    public var recordPath: String { directory + "/record.json" }

    /// The recorded configuration: the record and the copy's bytes (nil: no settings file
    /// then). Nil when nothing was ever recorded.
    public func read() throws(AgentError) -> (record: LastGoodRecord, settings: [UInt8]?)? {
        guard let bytes = try DurableFile.read(recordPath, limit: 64 << 10) else { return nil }
        let record: LastGoodRecord
        do {
            record = try JSONDecoder().decode(LastGoodRecord.self, from: Data(bytes))
        } catch {
            throw AgentError(.invalidData, "The record of the last good configuration is unreadable", path: recordPath,
                             cause: .text("\(error)"),
                             remedy: "Remove it; the next check while the PAS is active records the settings again")
        }
        let copy = try DurableFile.read(copyPath, limit: ConfigurationGuard.settingsLimit)
        let digest = try copy.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
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
        try DurableFile.makeDirectory(layout.stateDirectory, mode: 0o700)
        try DurableFile.makeDirectory(directory, mode: 0o700)
        if let settings {
            try DurableFile.write(settings, to: copyPath, mode: [.ownerReadWrite])
        } else {
            try DurableFile.remove(copyPath)
        }
        let record = LastGoodRecord(recordedAt: now, digest: digest, pasExpires: pasExpires)
        try DurableFile.write(JSONOutput.encode(record, pretty: true), to: recordPath, mode: [.ownerReadWrite])
        try AuditLog(layout: layout).append(AuditLog.Entry(
            time: now, action: "config-last-good", files: [layout.settingsFile, copyPath], outcome: "recorded",
            detail: "PAS active until \(pasExpires); "
                + (digest.map { "settings sha256 \($0)" } ?? "no settings file")))
        return true
    }
}
