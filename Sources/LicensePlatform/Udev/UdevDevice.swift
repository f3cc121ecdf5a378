internal import CUdev
import Glibc
import LicensePolicy
import SystemPackage

/// One libudev device (`struct udev_device`): its names, sysfs attributes, udev
/// properties and ancestors.
///
/// Each instance holds its own reference (parents are re-referenced), so a parent outlives
/// the child it was found through and every reference is dropped in `deinit`.
public final class UdevDevice {
    let pointer: OpaquePointer
    /// Keeps the context alive as long as a device from it exists.
    let context: Udev

    /// Takes over a reference the caller owns.
    init(owning pointer: OpaquePointer, context: Udev) {
        self.pointer = pointer
        self.context = context
    }

    /// Adds a reference to a device libudev lent out (parents belong to their child).
    convenience init(borrowing pointer: OpaquePointer, context: Udev) {
        self.init(owning: udev_device_ref(pointer), context: context)
    }

    deinit { udev_device_unref(pointer) }

    /// e.g. `/sys/devices/pci0000:00/0000:00:1f.6/net/eno1`.
    public var syspath: String { string(udev_device_get_syspath(pointer)) ?? "" }
    /// The syspath without `/sys`: `/devices/…`.
    public var devpath: String { string(udev_device_get_devpath(pointer)) ?? "" }
    /// The last component, e.g. `eno1`, `sdb1`.
    public var sysname: String { string(udev_device_get_sysname(pointer)) ?? "" }
    public var subsystem: String? { string(udev_device_get_subsystem(pointer)) }
    public var deviceType: String? { string(udev_device_get_devtype(pointer)) }
    /// `/dev/…`, when the device has a node.
    public var deviceNode: String? { string(udev_device_get_devnode(pointer)) }

    /// A sysfs attribute's value (file contents, trailing newline removed); nil when the device
    /// has no such attribute. A read that fails is an error, never an absent attribute.
    public func attribute(_ name: String) throws(AgentError) -> String? {
        try Udev.lookup("Cannot read a device attribute", path: syspath + "/" + name) {
            udev_device_get_sysattr_value(pointer, name)
        }.map { String(cString: $0) }
    }

    /// `attribute(name)` without the ASCII whitespace around it, exactly as
    /// `trimmingASCIIWhitespace()` gives it. A value that is all ASCII (every address, number
    /// and nearly every serial) is trimmed as bytes, which spares the generic string
    /// algorithm's first-use cost at every boot; any other goes through that algorithm, whose
    /// notion of a character (a space followed by a combining mark is none) it keeps.
    public func trimmedAttribute(_ name: String) throws(AgentError) -> String? {
        guard let value = try Udev.lookup("Cannot read a device attribute", path: syspath + "/" + name, {
            udev_device_get_sysattr_value(pointer, name)
        }) else { return nil }
        return Self.trimmed(value)
    }

    /// `String(cString: value).trimmingASCIIWhitespace()`, computed on the bytes when they are all ASCII.
    static func trimmed(_ value: UnsafePointer<CChar>) -> String {
        let bytes = UnsafeRawBufferPointer(start: value, count: strlen(value))
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return String(cString: value).trimmingASCIIWhitespace() }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// A sysfs attribute read as a decimal or `0x` hexadecimal integer; nil when absent or not a number.
    public func integerAttribute(_ name: String) throws(AgentError) -> Int? {
        guard let text = try trimmedAttribute(name) else { return nil }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        return Int(text)
    }

    /// A udev property (uevent or udev database), e.g. `DEVTYPE`, `ID_PATH`.
    public func property(_ name: String) -> String? {
        string(udev_device_get_property_value(pointer, name))
    }

    /// True when `relative` (a file, directory or link under the syspath) exists; a failure
    /// other than "no such file" is an error.
    public func hasEntry(_ relative: String) throws(AgentError) -> Bool {
        let path = syspath + "/" + relative
        switch nothingOrErrno("access", { access(path, F_OK) }) {
        case .success: return true
        case .failure(.noSuchFileOrDirectory), .failure(.notDirectory): return false
        case .failure(let failure): throw AgentError(.io, "Cannot inspect a device", path: path, cause: .system(failure))
        }
    }

    /// The nearest ancestor that is a device, or nil for a top-level or virtual device.
    public func parent() throws(AgentError) -> UdevDevice? {
        try Udev.lookup("Cannot find a device's parent", path: syspath) { udev_device_get_parent(pointer) }
            .map { UdevDevice(borrowing: $0, context: context) }
    }

    /// The nearest ancestor in `subsystem` (and of `deviceType`, when given).
    public func ancestor(subsystem: String, deviceType: String? = nil) throws(AgentError) -> UdevDevice? {
        try Udev.lookup("Cannot find a device's ancestors", path: syspath) {
            udev_device_get_parent_with_subsystem_devtype(pointer, subsystem, deviceType)
        }.map { UdevDevice(borrowing: $0, context: context) }
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
