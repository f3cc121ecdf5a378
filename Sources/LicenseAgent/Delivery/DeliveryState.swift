import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The files `deploy` keeps (DELIVERY.md): the record of what the download link delivered
/// last, `/wfs/license-agent/deploy.json`, and the reboot marker,
/// `/run/license-agent/reboot-required`, which `status` turns into the `reboot-required` warning.
///
/// Both are written atomically (`DurableFile`). An unreadable record reads as none: the next
/// `deploy` then downloads once more and writes it anew, which costs one transfer, never a
/// license.
public struct DeliveryState: Sendable {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public func record() -> DeliveryRecord? {
        guard let bytes = try? DurableFile.read(layout.deliveryRecord, limit: 64 << 10) else { return nil }
        return try? JSONDecoder().decode(DeliveryRecord.self, from: Data(bytes))
    }

    public func save(_ record: DeliveryRecord) throws(AgentError) {
        try DurableFile.makeDirectory(layout.stateDirectory, mode: 0o700)
        try DurableFile.write(JSONOutput.encode(record, pretty: true), to: layout.deliveryRecord,
                              mode: [.ownerReadWrite])
    }

    public func writeRebootMarker(_ marker: RebootMarker) throws(AgentError) {
        try DurableFile.makeDirectory(layout.runtimeDirectory)
        try DurableFile.write(JSONOutput.encode(marker, pretty: true), to: layout.rebootMarker)
    }

    /// The `reboot-required` warning while the marker exists; a marker that cannot be read
    /// still means a restart is pending.
    public func rebootWarning() -> Warning? {
        guard let bytes = try? DurableFile.read(layout.rebootMarker, limit: 64 << 10) else { return nil }
        if let marker = try? JSONDecoder().decode(RebootMarker.self, from: Data(bytes)) { return marker.warning }
        return Warning(code: .rebootRequired,
                       message: "A restart is pending (\(layout.rebootMarker) exists but cannot be read). Restart the device when convenient.")
    }
}
