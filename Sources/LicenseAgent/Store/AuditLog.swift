import FoundationEssentials
import LicensePlatform
import LicensePolicy
import SystemPackage

/// The append-only audit log (CLI.md "Audit log"): one JSON line for every install, removal,
/// profile run, freeze, thaw and reverted settings change, in `/wfs/license-agent/audit.log`.
///
/// It is never the only copy of anything. At `rotationSize` it is rotated to `audit.log.1` (one
/// generation kept), so a device that runs for years never fills its settings partition.
/// The log is opened like every other file the agent touches — no symlinks, no blocking,
/// regular files only — so a FIFO in its place is an error, never a hang. Credentials in
/// URLs never reach it. Its lines are whole (CLI.md "Audit lines are whole"): each is one
/// `write` with `O_APPEND`, and a line that a full `/wfs` cut short is taken back
/// (`OpenDirectory.append`), so the next one starts clean.
public struct AuditLog: Sendable {
    public static let rotationSize = 1 << 20

    /// One line of the log.
    public struct Entry: Sendable, Encodable {
        public var time: String
        public var action: String
        public var files: [String]
        public var licenseIds: [String]
        public var outcome: String
        public var detail: String?

        public init(time: Timestamp, action: String, files: [String] = [], licenseIds: [String] = [],
                    outcome: String, detail: String? = nil) {
            self.time = time.description
            self.action = action
            self.files = files.map(Credentials.redacted)
            self.licenseIds = licenseIds
            self.outcome = outcome
            self.detail = detail.map(Credentials.redacted)
        }
    }

    public let path: String
    let directory: String
    static let name: FileName = "audit.log"
    static let rotatedName: FileName = "audit.log.1"

    public init(layout: DeviceLayout) {
        path = layout.auditLog
        directory = layout.stateDirectory
    }

    /// Appends `entry` as one line; rotates first when the log has reached the size limit.
    public func append(_ entry: Entry) throws(AgentError) {
        let state = try OpenDirectory.create(directory, mode: 0o700)
        var line = JSONOutput.encode(entry)
        line.append(UInt8(ascii: "\n"))
        if let size = state.size(of: Self.name), size >= AuditLog.rotationSize {
            try state.renameDurably(Self.name, to: Self.rotatedName)
        }
        do {
            try state.append(line, to: Self.name, permissions: 0o600)
        } catch {
            throw error.reported(as: error.code, "Cannot write the audit log: \(error.summary)")
        }
    }

    /// Appends `entry` after a change that has already happened: the change stands whatever
    /// happens here, so a failure is returned for the caller to warn about, never thrown.
    public func record(_ entry: Entry) -> AgentError? {
        do {
            try append(entry)
            return nil
        } catch {
            return error
        }
    }
}
