import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The files `ConfigurationGuard` keeps, each named in its directory — the settings partition
/// `/wfs`, the state directory `/wfs/license-agent` and `frozen/` below it — and how the
/// freeze marker and snapshot are read. The directories are opened by the layout's paths; the
/// files in them are reached by name (`OpenDirectory`), never by a path rebuilt from a display
/// string.
extension ConfigurationGuard {
    /// `/wfs/group.ini`, the device settings.
    static let settingsName: FileName = "group.ini"
    /// `/wfs/group.ini.previous`, the settings a `config apply` replaced.
    static let previousSettingsName: FileName = "group.ini.previous"
    /// `frozen/group.ini`, the snapshot.
    static let snapshotName: FileName = "group.ini"
    /// `frozen/marker.json`, the marker.
    static let markerName: FileName = "marker.json"
    /// `/wfs/license-agent/group.ini.thawed`, the last snapshot after a thaw.
    static let thawedCopyName: FileName = "group.ini.thawed"

    /// The directory at `path`, which must exist because `file` is written into it: a
    /// missing one is said as the file that cannot be written.
    func directory(_ path: String, holding file: String) throws(AgentError) -> OpenDirectory {
        guard let opened = try OpenDirectory.open(path) else {
            throw AgentError(.io, "Cannot write a file: its directory does not exist", path: file)
        }
        return opened
    }

    /// The frozen snapshot, proven to be the one the marker names (nil: no settings file was frozen).
    func readSnapshot(of marker: FreezeMarker) throws(AgentError) -> [UInt8]? {
        let snapshot = try OpenDirectory.open(frozenDirectory)?.read(Self.snapshotName, limit: Self.settingsLimit)
        let snapshotDigest = try snapshot.map { bytes throws(AgentError) in try Digest.sha256Hex(bytes) }
        guard snapshotDigest == marker.digest else {
            throw AgentError(.invalidData, "The frozen settings snapshot does not match its marker", path: snapshotPath,
                             cause: .text("expected \(marker.digest ?? "no snapshot"), found \(snapshotDigest ?? "none")"),
                             remedy: "Restore the snapshot from a backup or import a renewed PAS license")
        }
        return snapshot
    }

    /// The freeze marker; nil when the configuration is not frozen.
    func readMarker() throws(AgentError) -> FreezeMarker? {
        guard let bytes = try OpenDirectory.open(frozenDirectory)?.read(Self.markerName, limit: 64 << 10) else { return nil }
        do {
            return try JSONDecoder().decode(FreezeMarker.self, from: Data(bytes))
        } catch {
            throw AgentError(.invalidData, "The frozen-configuration marker is unreadable", path: markerPath,
                             cause: .text("\(error)"),
                             remedy: "Restore it from a backup, or import a renewed PAS license and remove it")
        }
    }
}
