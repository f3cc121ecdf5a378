import LicensePlatform
import LicensePolicy

/// The `.lic` files in `/license/dsa/licenses`, listed once and read one at a time.
///
/// Only names ending in `.lic` count, never a hidden file or a writer's temp file. Each file
/// is opened by its exact name relative to the directory, without following symlinks and
/// without blocking, and read up to the size limit, so that an oversize file is refused
/// without reading it all. Reading one file at a time keeps memory flat however many there are.
public struct InstalledLicenses {
    /// One license file; `read()` gives its bytes or why they cannot be had.
    public struct File {
        public let name: FileName
        let directory: OpenDirectory
        let kind: OpenDirectory.Entry.Kind

        public func read() -> Result<[UInt8], AgentError> {
            guard kind == .regular else {
                return .failure(AgentError(.io, "Not a regular file (\(kind))", path: directory.display(name)))
            }
            return Result { () throws(AgentError) -> [UInt8] in
                guard let bytes = try directory.readRegularFile(name, limit: LicenseLimits.maximumFileSize) else {
                    throw AgentError(.io, "The file disappeared", path: directory.display(name))
                }
                return bytes
            }
        }
    }

    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// True for file names that are licenses: `*.lic`, not hidden.
    public static func isLicenseName(_ name: FileName) -> Bool {
        name.hasSuffix(".lic") && !name.hasPrefix(".") && name.bytes.count > 4
    }

    /// Every license file, in byte order of the names; empty when the directory does not exist.
    public func files() throws(AgentError) -> [File] {
        guard let directory = try OpenDirectory.open(layout.licenseDirectory) else { return [] }
        return try directory.entries().filter { InstalledLicenses.isLicenseName($0.name) }
            .map { File(name: $0.name, directory: directory, kind: $0.kind) }
    }
}
