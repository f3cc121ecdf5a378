import LicensePlatform
import LicensePolicy

/// The `.lic` files in `/license/dsa/licenses`, read for verification.
///
/// Only names ending in `.lic` count, and never a writer's temp file. Each file is opened
/// without following symlinks and read up to one byte past the size limit, so that an
/// oversize file is refused without reading it all.
public struct InstalledLicenses {
    public struct File: Sendable {
        public let name: String
        public let contents: Result<[UInt8], AgentError>
    }

    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// True for file names that are licenses.
    public static func isLicenseName(_ name: String) -> Bool {
        name.hasSuffix(".lic") && !name.hasPrefix(".") && name.count > 4
    }

    /// Every license file, in name order.
    public func files() throws(AgentError) -> [File] {
        let directory = layout.licenseDirectory
        guard let entries = try Directory.entries(of: directory) else { return [] }
        return entries.filter { InstalledLicenses.isLicenseName($0.name) }.map { entry in
            let path = directory + "/" + entry.name
            guard entry.kind == .regular else {
                return File(name: entry.name, contents: .failure(
                    AgentError(.io, "Not a regular file (\(entry.kind))", path: path)))
            }
            return File(name: entry.name, contents: Result { () throws(AgentError) -> [UInt8] in
                try DurableFile.read(path, limit: LicenseLimits.maximumFileSize) ?? []
            })
        }
    }
}
