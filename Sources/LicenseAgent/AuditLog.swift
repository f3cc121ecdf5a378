import FoundationEssentials
import LicensePlatform
import LicensePolicy
import SystemPackage

/// The append-only audit log (CLI.md "Audit log"): one JSON line for every install, removal,
/// profile run, freeze, thaw and reverted settings change, in `/wfs/license-agent/audit.log`.
///
/// It is never the only copy of anything. At 1 MiB it is rotated to `audit.log.1` (one
/// generation kept), so a device that runs for years never fills its settings partition.
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
            self.files = files
            self.licenseIds = licenseIds
            self.outcome = outcome
            self.detail = detail
        }
    }

    public let path: String

    public init(layout: DeviceLayout) { path = layout.auditLog }

    /// Appends `entry` as one line; rotates first when the log has reached the size limit.
    public func append(_ entry: Entry) throws(AgentError) {
        let directory = FilePath(path).removingLastComponent().string
        try DurableFile.makeDirectories(directory, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line: [UInt8]
        do { line = Array(try encoder.encode(entry)) } catch {
            throw AgentError(.invalidData, "Cannot encode an audit entry", path: path, cause: .text("\(error)"))
        }
        line.append(UInt8(ascii: "\n"))
        do {
            if let size = DurableFile.size(of: path), size >= AuditLog.rotationSize {
                try DurableFile.rename(path, to: path + ".1")
            }
            let descriptor = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.append, .create, .noFollow, .closeOnExec],
                permissions: [.ownerReadWrite])
            try descriptor.closeAfter { _ = try descriptor.writeAll(line) }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.io, "Cannot write the audit log", path: path, cause: .system(error as? Errno ?? .ioError))
        }
    }
}
