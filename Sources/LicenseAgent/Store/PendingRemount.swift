import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// `/run/license-agent/remount-pending`: `/license` is owed a read-only remount (CLI.md "Read-only
/// again, or said loudly").
///
/// Written before the partition is made writable and removed once it is read-only again, so
/// that a writer killed inside the window (kill -9), or a restore that failed for longer than
/// the agent retries, leaves it behind. Every later command that takes the writer lock (and
/// so `check`) first restores read-only when it is there; `status` warns
/// `license-partition-writable` while it is. It lives in `/run`: the next boot mounts
/// `/license` as the system mounts it anyway.
struct PendingRemount {
    /// What the record holds: the mount point and the options to restore.
    struct Record: Codable, Equatable {
        var schemaVersion = 1
        var mountPoint: String
        var mountOptions: [String]
        var superOptions: [String]
        /// When the window opened (trusted time not needed: for people only), RFC 3339.
        var since: String
        /// Why the last restore failed; nil while the window is simply open.
        var reason: String?
    }

    let layout: DeviceLayout

    static let name: FileName = "remount-pending"

    var path: String { layout.runtimeDirectory + "/remount-pending" }

    /// `/run/license-agent`, when it exists and can be opened.
    private var directory: OpenDirectory? { (try? OpenDirectory.open(layout.runtimeDirectory)) ?? nil }

    func read() -> Record? {
        guard let bytes = (try? directory?.read(Self.name, limit: 64 << 10)) ?? nil else { return nil }
        return try? JSONDecoder().decode(Record.self, from: Data(bytes))
    }

    func write(_ record: Record) throws(AgentError) {
        try OpenDirectory.create(layout.runtimeDirectory).replace(Self.name, with: JSONOutput.encode(record))
    }

    func remove() throws(AgentError) { try OpenDirectory.open(layout.runtimeDirectory)?.removeFileDurably(Self.name) }

    /// True when the record is there, readable or not.
    var exists: Bool { directory?.size(of: Self.name) != nil }

    /// The `license-partition-writable` warning while the record is there.
    func warning() -> Warning? {
        guard exists else { return nil }
        let record = read()
        let why = record?.reason.map { " (\($0))" } ?? ""
        return Warning(code: .licensePartitionWritable,
                       message: "/license was left writable after a change\(why); the next license-agent command restores it read-only, and so does a restart.")
    }
}
