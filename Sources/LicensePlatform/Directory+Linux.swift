import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Directory listings, without following or opening anything.
public enum Directory {
    /// One entry of a listing, with its type as `lstat` sees it.
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case regular, directory, symlink, fifo, device, socket, other }
        public let name: String
        public let kind: Kind
    }

    /// The entries of `path` (without `.` and `..`), sorted by name; nil when it does not exist.
    public static func entries(of path: String) throws(AgentError) -> [Entry]? {
        guard let stream = opendir(path) else {
            if errno == ENOENT { return nil }
            throw AgentError(.io, "Cannot list a directory", path: path, cause: .system(Errno(rawValue: errno)))
        }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while let record = readdir(stream) {
            let name = withUnsafeBytes(of: record.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var status = stat()
            guard lstat(path + "/" + name, &status) == 0 else { continue }
            entries.append(Entry(name: name, kind: kind(of: status.st_mode)))
        }
        return entries.sorted { $0.name < $1.name }
    }

    static func kind(of mode: mode_t) -> Entry.Kind {
        switch mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        case S_IFIFO: return .fifo
        case S_IFCHR, S_IFBLK: return .device
        case S_IFSOCK: return .socket
        default: return .other
        }
    }
}
