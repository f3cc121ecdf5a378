import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The files `deploy` keeps (DELIVERY.md): the record of what the download link delivered
/// last, `/wfs/license-agent/deploy.json`, and the reboot marker,
/// `/run/license-agent/reboot-required`, which `status` turns into the `reboot-required` warning.
///
/// Both are written atomically (`OpenDirectory.replace`). An unreadable record reads as none: the next
/// `deploy` then downloads once more and writes it anew, which costs one transfer, never a
/// license.
public struct DeliveryState: Sendable {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// The record's name in the state directory, `/wfs/license-agent`.
    static let recordName: FileName = "deploy.json"
    /// The marker's name in the runtime directory, `/run/license-agent`.
    static let rebootMarkerName: FileName = "reboot-required"

    public func record() -> DeliveryRecord? {
        guard let bytes = Self.read(Self.recordName, in: layout.stateDirectory) else { return nil }
        return try? JSONDecoder().decode(DeliveryRecord.self, from: Data(bytes))
    }

    public func save(_ record: DeliveryRecord) throws(AgentError) {
        try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
            .replace(Self.recordName, with: JSONOutput.encode(record, pretty: true), mode: 0o600)
    }

    public func writeRebootMarker(_ marker: RebootMarker) throws(AgentError) {
        try OpenDirectory.create(layout.runtimeDirectory)
            .replace(Self.rebootMarkerName, with: JSONOutput.encode(marker, pretty: true))
    }

    /// The `reboot-required` warning while the marker exists; a marker that cannot be read
    /// still means a restart is pending.
    public func rebootWarning() -> Warning? {
        guard let bytes = Self.read(Self.rebootMarkerName, in: layout.runtimeDirectory) else { return nil }
        if let marker = try? JSONDecoder().decode(RebootMarker.self, from: Data(bytes)) { return marker.warning }
        return Warning(code: .rebootRequired,
                       message: "A restart is pending (\(layout.rebootMarker) exists but cannot be read). Restart the device when convenient.")
    }

    /// The bytes of `name` in the directory at `directory`; nil when either is absent or
    /// cannot be read.
    private static func read(_ name: FileName, in directory: String) -> [UInt8]? {
        guard let opened = (try? OpenDirectory.open(directory)) ?? nil else { return nil }
        return (try? opened.read(name, limit: 64 << 10)) ?? nil
    }
}
