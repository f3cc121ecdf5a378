/// The kernel's mount table as `/proc/self/mountinfo` gives it, parsed.
///
/// The agent needs it twice: to find the block device behind `/license` (UD Pocket unit
/// IDs) and to know whether the license partition is mounted read-only. The parser is pure
/// so that every odd line (escaped spaces, optional fields, bind mounts) is testable
/// without mounting anything; the platform layer only reads the file.
///
/// Line format (proc(5)):
/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
public struct MountTable: Sendable, Equatable {
    /// A `major:minor` device number as the kernel prints it.
    public struct DeviceNumber: Hashable, Sendable, CustomStringConvertible {
        public var major: UInt32
        public var minor: UInt32

        public init(major: UInt32, minor: UInt32) {
            self.major = major
            self.minor = minor
        }

        /// Parses `"7:3"`.
        public init?(parsing text: some StringProtocol) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let major = UInt32(parts[0]), let minor = UInt32(parts[1]) else { return nil }
            self.init(major: major, minor: minor)
        }

        public var description: String { "\(major):\(minor)" }
    }

    /// One mount.
    public struct Entry: Sendable, Equatable {
        public var mountID: Int
        public var parentID: Int
        public var device: DeviceNumber
        /// The directory of the file system that forms this mount's root (bind mounts).
        public var root: String
        /// Where it is mounted, escapes decoded.
        public var mountPoint: String
        /// Per-mount options (`rw`, `nosuid`, `relatime`, …).
        public var mountOptions: [String]
        /// Tagged fields before the `-` separator (`shared:1`, `master:2`, …).
        public var optionalFields: [String]
        public var fileSystemType: String
        /// The mount source (`/dev/sdb1`, `tmpfs`, …), escapes decoded.
        public var source: String
        /// Per-superblock options.
        public var superOptions: [String]

        public init(mountID: Int, parentID: Int, device: DeviceNumber, root: String, mountPoint: String,
                    mountOptions: [String], optionalFields: [String], fileSystemType: String,
                    source: String, superOptions: [String]) {
            self.mountID = mountID
            self.parentID = parentID
            self.device = device
            self.root = root
            self.mountPoint = mountPoint
            self.mountOptions = mountOptions
            self.optionalFields = optionalFields
            self.fileSystemType = fileSystemType
            self.source = source
            self.superOptions = superOptions
        }

        /// True when this mount is read-only (the per-mount `ro`, or a read-only superblock).
        public var isReadOnly: Bool { mountOptions.contains("ro") || superOptions.contains("ro") }
    }

    /// Every mount, in the kernel's order (parents before the mounts stacked on them).
    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses the text of a mountinfo file; a malformed line is an `.invalidData` error
    /// naming its line number, since the kernel never writes one. The table is that of
    /// `MountTableText`, the grapheme-exact specification, parsed as bytes (`MountTableBytes`).
    public init(parsing text: String) throws(AgentError) {
        var text = text
        entries = try text.withUTF8 { MountTableBytes.entries(parsing: $0) }.get()
    }

    /// The error for a malformed line (numbered from 1, empty lines counted).
    static func malformed(lineNumber: Int, line: String) -> AgentError {
        AgentError(.invalidData, "Line \(lineNumber) of the mount table is malformed", cause: .text(line))
    }

    /// The mount visible at `mountPoint`: when several are stacked there, the last one
    /// (the topmost). The path is compared after collapsing `//`, `/./` and a trailing `/`.
    public func entry(forMountPoint mountPoint: String) -> Entry? {
        let wanted = MountTable.normalisedPath(mountPoint)
        return entries.last { $0.mountPoint == wanted }
    }

    /// The device number of the mount visible at `mountPoint`.
    public func deviceNumber(forMountPoint mountPoint: String) -> DeviceNumber? {
        entry(forMountPoint: mountPoint)?.device
    }

    // MARK: - Paths

    /// `path` with repeated slashes, `.` components and a trailing slash removed.
    static func normalisedPath(_ path: String) -> String {
        if isNormalised(path.utf8) { return path }
        let components = path.split(separator: "/").filter { $0 != "." }
        let joined = components.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// True when `normalisedPath` would give `path` back: `/` alone, or `/` followed by ASCII
    /// components that are neither empty nor `.`. The common case, told from the bytes alone
    /// (for ASCII, splitting by `Character` and by byte agree on `/`).
    static func isNormalised(_ path: String.UTF8View) -> Bool {
        guard path.first == UInt8(ascii: "/") else { return false }
        var componentLength = 0
        var componentIsDot = false
        for byte in path.dropFirst() {
            guard byte < 0x80 else { return false }
            if byte == UInt8(ascii: "/") {
                guard componentLength > 0, !componentIsDot else { return false }
                componentLength = 0
                continue
            }
            componentLength += 1
            componentIsDot = componentLength == 1 && byte == UInt8(ascii: ".")
        }
        return path.count == 1 || (componentLength > 0 && !componentIsDot)
    }
}
