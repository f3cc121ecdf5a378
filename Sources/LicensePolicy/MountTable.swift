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
    /// naming its line number, since the kernel never writes one.
    public init(parsing text: String) throws(AgentError) {
        var parsed: [Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.isEmpty else { continue }
            guard let entry = MountTable.parseLine(line) else {
                throw AgentError(.invalidData, "Line \(index + 1) of the mount table is malformed",
                                 cause: .text(String(line)))
            }
            parsed.append(entry)
        }
        entries = parsed
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

    // MARK: - Parsing

    static func parseLine(_ line: Substring) -> Entry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 3,
              let mountID = Int(fields[0]), let parentID = Int(fields[1]),
              let device = DeviceNumber(parsing: fields[2]),
              let root = decodeOctalEscapes(fields[3]),
              let mountPoint = decodeOctalEscapes(fields[4]),
              let source = decodeOctalEscapes(fields[separator + 2])
        else { return nil }
        return Entry(
            mountID: mountID, parentID: parentID, device: device,
            root: root, mountPoint: mountPoint,
            mountOptions: options(fields[5]),
            optionalFields: fields[6..<separator].map(String.init),
            fileSystemType: decodeOctalEscapes(fields[separator + 1]) ?? String(fields[separator + 1]),
            source: source,
            superOptions: fields.count > separator + 3 ? options(fields[separator + 3]) : [])
    }

    static func options(_ field: Substring) -> [String] {
        field.split(separator: ",").map(String.init)
    }

    /// Decodes the kernel's `\ooo` escapes (`\040` space, `\011` tab, `\012` newline,
    /// `\134` backslash). nil when a backslash is not followed by three octal digits or
    /// the bytes are not UTF-8.
    static func decodeOctalEscapes(_ field: Substring) -> String? {
        let input = Array(field.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 3 < input.count else { return nil }
            var value: UInt32 = 0
            for digit in input[(index + 1)...(index + 3)] {
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
                value = value * 8 + UInt32(digit - UInt8(ascii: "0"))
            }
            guard value <= 0xFF else { return nil }
            output.append(UInt8(value))
            index += 4
        }
        return String(validating: output, as: UTF8.self)
    }

    /// `path` with repeated slashes, `.` components and a trailing slash removed.
    static func normalisedPath(_ path: String) -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        let joined = components.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
