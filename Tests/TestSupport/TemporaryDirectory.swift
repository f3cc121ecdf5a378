import Foundation

/// A fresh directory under the system temp dir, removed with everything in it when the
/// value goes away. Tests create one each so that they never share or leak state.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "license-agent-test") throws {
        // realpath: mount points in /proc/self/mountinfo are canonical, and tests compare with them.
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        var template = Array("\(base)/\(label)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
    }

    /// `path/relative`, for building paths inside the directory.
    public func appending(_ relative: String) -> String { path + "/" + relative }

    /// Writes `contents` to `relative`, creating parent directories.
    @discardableResult
    public func write(_ relative: String, _ contents: String, mode: Int = 0o644) throws -> String {
        try write(relative, Data(contents.utf8), mode: mode)
    }

    @discardableResult
    public func write(_ relative: String, _ contents: Data, mode: Int = 0o644) throws -> String {
        let target = appending(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    public func makeDirectory(_ relative: String) throws -> String {
        let target = appending(relative)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        return target
    }

    deinit {
        // A test may leave a mount behind only inside its own namespace, which is gone by
        // now; plain removal is enough.
        try? FileManager.default.removeItem(atPath: path)
    }
}
