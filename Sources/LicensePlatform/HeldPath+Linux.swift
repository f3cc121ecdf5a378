internal import CLinux
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file or directory named by bytes that are not UTF-8, opened by those bytes and reached
/// from then on as `/proc/self/fd/N`: a path that a `String` can hold.
///
/// The command line's paths are the bytes the shell passed (CLI.md "File names, output and
/// secrets"), but a `String` cannot hold bytes that are not UTF-8: decoding them puts U+FFFD
/// in their place, which names another file. Code that takes paths as strings (the device
/// layout, libcurl's CA file, `mount`'s source) still reaches the very file through its open
/// descriptor: the kernel resolves `/proc/self/fd/N` (and `/proc/self/fd/N/…` below a
/// directory) to it. The descriptor is closed when the instance goes away, so it must outlive
/// every use of `path`.
public final class HeldPath: Sendable {
    /// What must be found at the name.
    public enum Kind: Sendable {
        /// A directory, to be reached below (`O_DIRECTORY`).
        case directory
        /// Anything: a file, a device node (`O_PATH`: opening it has no side effect).
        case any
    }

    /// `/proc/self/fd/N`, the file's path while this instance lives.
    public let path: String
    /// The name it was opened by, escaped (`DisplayText`), for messages.
    public let name: String
    private let descriptor: FileDescriptor

    /// Opens what `bytes` name (a symbolic link as the last component is followed, as for any
    /// path); nil when it does not exist.
    /// - Throws: `AgentError` when a directory was asked for and it is none, it cannot be
    ///   opened, or `/proc` is not mounted (then it cannot be reached by a path).
    public init?(bytes: [UInt8], kind: Kind) throws(AgentError) {
        let name = DisplayText.escaping(bytes)
        let flags = kind == .directory ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : linux_o_path() | O_CLOEXEC
        let opened = FileName(bytes: bytes).withCString { raw in
            valueOrErrno("openat") { Glibc.open(raw, flags) }
        }
        switch opened {
        case .success(let raw): descriptor = FileDescriptor(rawValue: raw)
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(.notDirectory): throw AgentError(.io, "Not a directory", path: name)
        case .failure(let failure): throw AgentError(.io, "Cannot open a file", path: name, cause: .system(failure))
        }
        path = "/proc/self/fd/\(descriptor.rawValue)"
        self.name = name
        // Fully initialised by now: a failure here closes the descriptor in deinit.
        if case .failure(let failure) = nothingOrErrno("access", { access(path, F_OK) }) {
            throw AgentError(.io, "A name that is not UTF-8 is reached through /proc, which cannot be read",
                             path: name, cause: .system(failure), remedy: "Mount /proc, or name it in UTF-8")
        }
    }

    /// The path to give a string-taking API for `bytes`: the text itself when it is UTF-8,
    /// else the held `/proc/self/fd/N` (with the holder, which the caller keeps alive).
    /// - Throws: `AgentError` with code `.notFound` when a name that is not UTF-8 names nothing.
    public static func path(for bytes: [UInt8], kind: Kind) throws(AgentError) -> (path: String, holder: HeldPath?) {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
        guard let held = try HeldPath(bytes: bytes, kind: kind) else {
            throw AgentError(.notFound, "No such file or directory", path: DisplayText.escaping(bytes))
        }
        return (held.path, held)
    }

    deinit { try? descriptor.close() }
}
