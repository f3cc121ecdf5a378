import LicensePolicy
import Testing

/// Parsing `/proc/self/mountinfo` text (proc(5)) and finding the mount at a path.
@Suite struct MountTableTests {
    static let sample = """
        22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw,errors=remount-ro
        23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        40 22 8:17 / /license ro,nosuid,nodev,relatime shared:30 master:2 - ext4 /dev/sdb1 ro
        41 22 0:45 /data/wfs /wfs rw,relatime - ext4 /dev/sda3 rw,data=ordered
        42 22 7:3 / /tmp/my\\040dir/with\\011tab rw,relatime - ext4 /dev/loop3 rw
        43 22 7:4 / /mnt/back\\134slash rw - vfat /dev/my\\040disk rw,fmask=0022
        44 40 7:5 / /license rw,relatime - ext4 /dev/loop5 rw
        45 22 0:50 / /run rw,nosuid,nodev - tmpfs tmpfs rw,size=10240k,mode=755

        """

    @Test func parsesEveryField() throws {
        let table = try MountTable(parsing: Self.sample)
        #expect(table.entries.count == 8)
        let root = table.entries[0]
        #expect(root.mountID == 22)
        #expect(root.parentID == 1)
        #expect(root.device == MountTable.DeviceNumber(major: 253, minor: 0))
        #expect(root.root == "/")
        #expect(root.mountPoint == "/")
        #expect(root.mountOptions == ["rw", "relatime"])
        #expect(root.optionalFields == ["shared:1"])
        #expect(root.fileSystemType == "ext4")
        #expect(root.source == "/dev/mapper/root")
        #expect(root.superOptions == ["rw", "errors=remount-ro"])
        #expect(!root.isReadOnly)

        let license = table.entries[2]
        #expect(license.optionalFields == ["shared:30", "master:2"])
        #expect(license.isReadOnly)
        #expect(license.device.description == "8:17")

        let bind = table.entries[3]
        #expect(bind.root == "/data/wfs")
        #expect(bind.optionalFields.isEmpty)
        #expect(bind.superOptions == ["rw", "data=ordered"])
    }

    @Test func decodesOctalEscapes() throws {
        let table = try MountTable(parsing: Self.sample)
        #expect(table.entries[4].mountPoint == "/tmp/my dir/with\ttab")
        #expect(table.entries[5].mountPoint == "/mnt/back\\slash")
        #expect(table.entries[5].source == "/dev/my disk")
        #expect(table.entry(forMountPoint: "/tmp/my dir/with\ttab")?.device.description == "7:3")
    }

    @Test func topmostMountWins() throws {
        let table = try MountTable(parsing: Self.sample)
        let license = try #require(table.entry(forMountPoint: "/license"))
        #expect(license.mountID == 44)
        #expect(license.source == "/dev/loop5")
        #expect(!license.isReadOnly)
        #expect(table.deviceNumber(forMountPoint: "/license") == MountTable.DeviceNumber(major: 7, minor: 5))
    }

    @Test func lookupNormalisesThePath() throws {
        let table = try MountTable(parsing: Self.sample)
        #expect(table.entry(forMountPoint: "//license/")?.mountID == 44)
        #expect(table.entry(forMountPoint: "/./license")?.mountID == 44)
        #expect(table.entry(forMountPoint: "/proc")?.mountID == 23)
        #expect(table.entry(forMountPoint: "/license/dsa") == nil)
        #expect(table.entry(forMountPoint: "/lic") == nil)
        #expect(table.entry(forMountPoint: "/")?.mountID == 22)
    }

    @Test func superOptionsMayMarkReadOnly() throws {
        let table = try MountTable(parsing: "50 22 8:1 / /media/stick rw,relatime - vfat /dev/sdc1 ro,fmask=0022\n")
        #expect(table.entries.first?.isReadOnly == true)
    }

    @Test func deviceNumbersParse() {
        #expect(MountTable.DeviceNumber(parsing: "259:1") == MountTable.DeviceNumber(major: 259, minor: 1))
        #expect(MountTable.DeviceNumber(parsing: "259") == nil)
        #expect(MountTable.DeviceNumber(parsing: "a:1") == nil)
        #expect(MountTable.DeviceNumber(parsing: "1:2:3") == nil)
    }

    @Test func malformedLinesAreRejectedWithTheirLineNumber() {
        let cases = [
            "22 1 253:0 / / rw,relatime shared:1 ext4 /dev/root rw",   // no separator
            "22 1 253-0 / / rw - ext4 /dev/root rw",                   // bad device number
            "x 1 253:0 / / rw - ext4 /dev/root rw",                    // bad mount ID
            "22 1 253:0 / /bad\\04 rw - ext4 /dev/root rw",            // truncated escape
            "22 1 253:0 / /bad\\089 rw - ext4 /dev/root rw",           // not octal
            "22 1 253:0 / / rw -",                                     // nothing after separator
        ]
        for line in cases {
            #expect(throws: AgentError.self, "\(line)") { try MountTable(parsing: "23 22 0:21 / /proc rw - proc proc rw\n" + line) }
            do {
                _ = try MountTable(parsing: "23 22 0:21 / /proc rw - proc proc rw\n" + line)
            } catch {
                #expect(error.code == .invalidData)
                #expect(error.summary.contains("Line 2"))
            }
        }
    }

    @Test func emptyTextIsAnEmptyTable() throws {
        #expect(try MountTable(parsing: "").entries.isEmpty)
        #expect(try MountTable(parsing: "").entry(forMountPoint: "/") == nil)
    }
}
