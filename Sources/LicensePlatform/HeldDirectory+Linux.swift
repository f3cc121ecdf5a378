import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A directory named by bytes that are not UTF-8, opened by those bytes and reached from then
/// on as `/proc/self/fd/N`: a path that a `String` can hold.
///
/// The command line's paths are the bytes the shell passed (CLI.md "File names, output and
/// secrets"), but a `String` cannot hold bytes that are not UTF-8: decoding them puts U+FFFD
/// in their place, which names another file. Code that builds paths under a directory as
/// strings (the device layout) can still work below such a directory through its open
/// descriptor: the kernel resolves `/proc/self/fd/N/…` under that very directory. The
/// descriptor is closed when the instance goes away, so it must outlive every use of `path`.
public final class HeldDirectory: Sendable {
    /// `/proc/self/fd/N`, the directory's path while this instance lives.
    public let path: String
    /// The name it was opened by, escaped (`DisplayText`), for messages.
    public let name: String
    private let descriptor: CInt

    /// Opens the directory `bytes` name (a symbolic link as the last component is followed,
    /// as for any path); nil when it does not exist.
    /// - Throws: `AgentError` when it is not a directory, cannot be opened, or `/proc` is not
    ///   mounted (then the directory cannot be reached by a path).
    public init?(bytes: [UInt8]) throws(AgentError) {
        let name = DisplayText.escaping(bytes)
        let opened = FileName(bytes: bytes).withCString { raw in
            valueOrErrno { Glibc.open(raw, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        }
        switch opened {
        case .success(let raw): descriptor = raw
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(.notDirectory): throw AgentError(.io, "Not a directory", path: name)
        case .failure(let failure): throw AgentError(.io, "Cannot open a directory", path: name, cause: .system(failure))
        }
        path = "/proc/self/fd/\(descriptor)"
        self.name = name
        // Fully initialised by now: a failure here closes the descriptor in deinit.
        if case .failure(let failure) = nothingOrErrno({ access(path, F_OK) }) {
            throw AgentError(.io, "A directory whose name is not UTF-8 is reached through /proc, which cannot be read",
                             path: name, cause: .system(failure), remedy: "Mount /proc, or name the directory in UTF-8")
        }
    }

    deinit { _ = Glibc.close(descriptor) }
}
