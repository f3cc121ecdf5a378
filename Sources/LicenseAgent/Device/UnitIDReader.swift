import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Works out this device's unit ID (CLI.md "Unit ID"): the UD Pocket serial when the
/// license partition sits on a USB flash device, otherwise the best network interface.
///
/// The mount table is always the kernel's (`/proc/self/mountinfo`), even under `--root`:
/// the root only moves where the license partition's path is, e.g. `ROOT/license`.
public struct UnitIDReader: Sendable {
    public let layout: DeviceLayout
    /// Where the mount table is read; the kernel's own unless a caller says otherwise.
    public let mountInfoPath: String

    public init(layout: DeviceLayout, mountInfoPath: String = MountInfo.defaultPath) {
        self.layout = layout
        self.mountInfoPath = mountInfoPath
    }

    /// The selection with every candidate's reason; its `unitID` is nil when none qualified.
    public func read() throws(AgentError) -> UnitIDSelection {
        let udev = try Udev()
        let pocket = try pocketFacts(udev: udev)
        let interfaces = try udev.networkInterfaceFacts()
        return UnitIDSelection(pocket: pocket, interfaces: interfaces)
    }

    /// The unit ID, or the `.noUnitID` error listing what was seen and why it was skipped.
    public func requireUnitID() throws(AgentError) -> UnitID {
        let selection = try read()
        guard let unitID = selection.unitID else { throw selection.noUnitIDError }
        return unitID
    }

    /// The mount at the license partition → its device → the USB flash serial, if any.
    func pocketFacts(udev: Udev) throws(AgentError) -> PocketFacts {
        let table = try MountInfo.read(path: mountInfoPath)
        let partition = absolute(layout.licensePartition)
        guard let mount = table.entry(forMountPoint: partition) else {
            return .absent(reason: "/license is not a separate mount")
        }
        return try udev.pocketFacts(major: mount.device.major, minor: mount.device.minor, source: mount.source)
    }

    /// `path` made absolute against the working directory, since mount points always are.
    private func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = FileManager.default.currentDirectoryPath
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
