internal import CLinux
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Permission bits of a new file or directory (`0o644`), as the system calls take them. Named
/// here so that public signatures never depend on which C module's `mode_t` is in scope.
public typealias FileModeBits = UInt32

/// A directory opened once; its entries are then named by their bytes relative to it (the
/// `*at` system calls), never by a path rebuilt from a decoded string.
///
/// This is what makes file names byte strings (CLI.md "File names, output and secrets"): a
/// name that is not UTF-8, or that differs from another only in Unicode normalisation, is
/// listed, read, linked and removed exactly as the kernel stores it. Nothing here follows a
/// symbolic link inside the directory, and every file is opened without blocking, so a FIFO
/// or a device in place of a file is an error for that entry, never a hang.
///
/// This is how the license store and the agent's state are reached: a directory of the device
/// layout is opened by its path once (the layout's root comes from the command line: the edge
/// where a path becomes a descriptor), and everything in it by name. Whole files are replaced
/// durably (`replace`), read with a limit (`read`) and appended to (`append`) in the other
/// files of this concern.
public final class OpenDirectory {
    /// One entry, with its type as `fstatat(AT_SYMLINK_NOFOLLOW)` sees it.
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case regular, directory, symlink, fifo, device, socket, other }
        public let name: FileName
        public let kind: Kind
    }

    let descriptor: FileDescriptor
    /// The path it was opened at, for messages.
    public let path: String

    private init(descriptor: FileDescriptor, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { _ = nothingOrErrno("close") { Glibc.close(descriptor.rawValue) } }

    /// Opens the directory at `path` (a symbolic link as its last component is followed: an
    /// administrator may link the partition); nil when it does not exist.
    public static func open(_ path: String) throws(AgentError) -> OpenDirectory? {
        try open(bytes: Array(path.utf8), path: path)
    }

    /// `open(_:)` for a path given as bytes (a command-line argument that is not UTF-8); its
    /// `path` is then the escaped form, for messages only.
    public static func open(bytes: [UInt8]) throws(AgentError) -> OpenDirectory? {
        try open(bytes: bytes, path: DisplayText.escaping(bytes))
    }

    private static func open(bytes: [UInt8], path: String) throws(AgentError) -> OpenDirectory? {
        let opened = FileName(bytes: bytes).withCString { raw in
            valueOrErrno("openat") { Glibc.open(raw, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        }
        switch opened {
        case .success(let raw): return OpenDirectory(descriptor: FileDescriptor(rawValue: raw), path: path)
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(.notDirectory):
            throw AgentError(.io, "Not a directory", path: path)
        case .failure(let failure):
            throw AgentError(.io, "Cannot open a directory", path: path, cause: .system(failure))
        }
    }

    /// The path of `name` inside this directory, for messages (escaped, one line).
    public func display(_ name: FileName) -> String { path + "/" + name.description }

    /// The subdirectory `name`, not following a symbolic link; nil when it does not exist.
    public func directory(_ name: FileName) throws(AgentError) -> OpenDirectory? {
        let opened = name.withCString { name in
            valueOrErrno("openat") { openat(descriptor.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        }
        switch opened {
        case .success(let raw): return OpenDirectory(descriptor: FileDescriptor(rawValue: raw), path: display(name))
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(.notDirectory), .failure(.tooManySymbolicLinkLevels):
            throw AgentError(.io, "Not a directory", path: display(name))
        case .failure(let failure):
            throw AgentError(.io, "Cannot open a directory", path: display(name), cause: .system(failure))
        }
    }

    /// Every entry but `.` and `..`, in byte order of the names.
    public func entries() throws(AgentError) -> [Entry] {
        // fdopendir takes over the descriptor it is given: give it a duplicate.
        let duplicate = try valueOrErrno("fcntl") { fcntl(descriptor.rawValue, F_DUPFD_CLOEXEC, 0) }
            .orThrow("Cannot list a directory", path: path)
        // fdopendir checks the descriptor with fstat, which may be interrupted like any call.
        var opened = pointerOrErrno("fdopendir") { fdopendir(duplicate) }
        while case .failure(.interrupted) = opened { opened = pointerOrErrno("fdopendir") { fdopendir(duplicate) } }
        let stream: OpaquePointer
        switch opened {
        case .success(let pointer): stream = pointer
        case .failure(let failure):
            _ = Glibc.close(duplicate)
            throw AgentError(.io, "Cannot list a directory", path: path, cause: .system(failure))
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var entries: [Entry] = []
        while true {
            // readdir has no result of its own to check: a failure is a null record with errno set.
            let injected = SystemCallFaults.failure(of: "readdir")
            errno = 0
            guard injected == nil, let record = readdir(stream) else {
                let failure = injected ?? Errno(rawValue: errno)
                // A signal that cut `getdents64` short is retried like every other call: the
                // stream's position has not moved, so the next readdir asks again from there.
                if failure == .interrupted { continue }
                if failure.rawValue != 0 { throw AgentError(.io, "Cannot list a directory", path: path, cause: .system(failure)) }
                break
            }
            let name = withUnsafeBytes(of: record.pointee.d_name) { raw in FileName(bytes: raw.prefix { $0 != 0 }) }
            if name.bytes == [0x2E] || name.bytes == [0x2E, 0x2E] { continue }
            // An entry removed between readdir and fstatat is simply no longer there. Any other
            // failure stops the listing: a caller that acts on the list (a new license set is
            // built from it) must never take a file it could not inspect for one that is gone.
            let kind: Entry.Kind
            switch status(of: name) {
            case .success(let type): kind = Self.kind(of: type)
            case .failure(.noSuchFileOrDirectory): continue
            case .failure(let failure):
                throw AgentError(.io, "Cannot inspect a file", path: display(name), cause: .system(failure))
            }
            entries.append(Entry(name: name, kind: kind))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The type of `name`, without following a symbolic link.
    public func kind(of name: FileName) throws(AgentError) -> Entry.Kind {
        Self.kind(of: try status(of: name).orThrow("Cannot inspect a file", path: display(name)))
    }

    /// The file type of `name` (`fstatat`, not following a symbolic link), or the errno.
    private func status(of name: FileName) -> Result<FileType, Errno> {
        name.withCString { name in
            resultOrErrno("fstatat") { () throws(Errno) -> FileType in
                try Stat(name, relativeTo: descriptor, flags: .symlinkNoFollow).type
            }
        }
    }

    static func kind(of type: FileType) -> Entry.Kind {
        switch type {
        case .regular: return .regular
        case .directory: return .directory
        case .symbolicLink: return .symlink
        case .fifo: return .fifo
        case .characterSpecial, .blockSpecial: return .device
        case .socket: return .socket
        default: return .other
        }
    }

    /// The contents of the regular file `name`, at most `limit` bytes; nil when it does not
    /// exist. A symbolic link, FIFO, device or directory is refused without blocking.
    public func readRegularFile(_ name: FileName, limit: Int) throws(AgentError) -> [UInt8]? {
        let opened = name.withCString { name in
            valueOrErrno("openat") { openat(descriptor.rawValue, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) }
        }
        switch opened {
        case .success(let raw):
            let file = FileDescriptor(rawValue: raw)
            defer { _ = Glibc.close(raw) }
            return try RegularFile.readAll(file, path: display(name), limit: limit)
        case .failure(.noSuchFileOrDirectory):
            return nil
        case .failure(.tooManySymbolicLinkLevels):
            throw AgentError(.io, "Refusing a symbolic link", path: display(name))
        case .failure(let failure):
            throw AgentError(.io, "Cannot open a file", path: display(name), cause: .system(failure))
        }
    }

    /// Writes a new file `name` (it must not exist) and flushes it to disk.
    public func writeNewFile(_ name: FileName, _ bytes: [UInt8], mode: FileModeBits = 0o644) throws(AgentError) {
        let raw = try name.withCString { name in
            valueOrErrno("openat") { openat(descriptor.rawValue, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) }
        }.orThrow("Cannot create a file", path: display(name))
        defer { _ = Glibc.close(raw) }
        var written = 0
        while written < bytes.count {
            let count = try bytes.withUnsafeBytes { buffer in
                valueOrErrno("write") { Glibc.write(raw, buffer.baseAddress! + written, buffer.count - written) }
            }.orThrow("Cannot write a file", path: display(name))
            written += count
        }
        try nothingOrErrno("fsync") { fsync(raw) }.orThrow("Cannot flush a file to disk", path: display(name))
    }

    /// Makes `name` in `other` a second name of the file `name` here (no data is copied).
    public func link(_ name: FileName, into other: OpenDirectory, as newName: FileName) throws(AgentError) {
        try name.withCString { source in
            newName.withCString { target in
                nothingOrErrno("linkat") { linkat(descriptor.rawValue, source, other.descriptor.rawValue, target, 0) }
            }
        }.orThrow("Cannot link a file into place", path: display(name))
    }

    /// Removes the file (not directory) `name`; one that is already gone is fine.
    public func removeFile(_ name: FileName) throws(AgentError) {
        try name.withCString { name in nothingOrErrno("unlinkat") { unlinkat(descriptor.rawValue, name, 0) } }
            .ignoring(.noSuchFileOrDirectory).orThrow("Cannot remove a file", path: display(name))
    }

    /// Creates the subdirectory `name`; with `existingIsFine`, one that is there already is fine.
    public func makeDirectory(_ name: FileName, mode: FileModeBits = 0o755, existingIsFine: Bool = false) throws(AgentError) {
        let made = name.withCString { name in nothingOrErrno("mkdirat") { mkdirat(descriptor.rawValue, name, mode) } }
        try (existingIsFine ? made.ignoring(.fileExists) : made).orThrow("Cannot create a directory", path: display(name))
    }

    /// Removes the subdirectory `name` and everything below it, never following a link.
    public func removeTree(_ name: FileName) throws(AgentError) {
        if let child = try directory(name) {
            for entry in try child.entries() {
                if entry.kind == .directory { try child.removeTree(entry.name) } else { try child.removeFile(entry.name) }
            }
        }
        try removeEmptyDirectory(name)
    }

    /// Removes the empty subdirectory `name` (rmdir: never anything inside, never a mount
    /// point); one that is already gone is fine.
    public func removeEmptyDirectory(_ name: FileName) throws(AgentError) {
        try name.withCString { name in nothingOrErrno("unlinkat") { unlinkat(descriptor.rawValue, name, AT_REMOVEDIR) } }
            .ignoring(.noSuchFileOrDirectory).orThrow("Cannot remove a directory", path: display(name))
    }

    /// Renames `name` to `newName` in this directory, replacing a file of that name.
    public func rename(_ name: FileName, to newName: FileName) throws(AgentError) {
        try name.withCString { source in
            newName.withCString { target in
                nothingOrErrno("renameat") { renameat(descriptor.rawValue, source, descriptor.rawValue, target) }
            }
        }.orThrow("Cannot rename", path: display(name))
    }

    /// Atomically exchanges `first` and `second` (both must exist): `renameat2(RENAME_EXCHANGE)`,
    /// which ext4 and tmpfs support and which is atomic across a power cut once this
    /// directory is flushed.
    public func exchange(_ first: FileName, _ second: FileName) throws(AgentError) {
        try first.withCString { first in
            second.withCString { second in
                nothingOrErrno("renameat2") {
                    linux_renameat2(descriptor.rawValue, first, descriptor.rawValue, second, linux_rename_exchange())
                }
            }
        }.orThrow("Cannot swap directories", path: display(second))
    }

    /// fsync of the directory: makes the creations, renames and removals inside it durable.
    public func synchronize() throws(AgentError) {
        try nothingOrErrno("fsync") { fsync(descriptor.rawValue) }.orThrow("Cannot flush a directory to disk", path: path)
    }
}
