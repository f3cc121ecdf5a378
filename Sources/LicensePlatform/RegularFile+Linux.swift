import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opening the files the agent reads or appends to (CLI.md "Nothing can hang it"): always
/// `O_NOFOLLOW|O_NONBLOCK`, and only a regular file is accepted. A FIFO, device, directory
/// or symbolic link in a file's place is an error for that file, never a hang: opening a
/// FIFO without `O_NONBLOCK` waits for a peer that never comes.
///
/// The functions that take a path are for the edges: a file named on the command line, a
/// keyring, a CA file, the mount table. The agent's own files are reached by name in their
/// open directory (`OpenDirectory.read`, `append`), with the same rules and messages.
public enum RegularFile {
    /// How a file is opened.
    public enum Access {
        case read
        /// Append, creating the file (with `permissions`) when it does not exist. Opened for
        /// reading too, so that an append can see whether the file ends in a whole record.
        case append(permissions: FilePermissions)
    }

    /// Opens `path` for `access`; nil when it does not exist (and `access` does not create it).
    /// With `followingSymlinks`, a symbolic link as the last component is followed (the
    /// keyring or os-release an image links into place), but the target must still be a
    /// regular file.
    public static func open(_ path: String, _ access: Access, followingSymlinks: Bool = false) throws(AgentError) -> FileDescriptor? {
        try open(bytes: Array(path.utf8), shownAs: path, access, followingSymlinks: followingSymlinks)
    }

    /// `open(_:_:followingSymlinks:)` for a path given as bytes (a command-line argument that
    /// is not UTF-8), named in messages as `path`; relative to the open directory `directory`
    /// (`AT_FDCWD`: the working directory, for a path).
    static func open(bytes: [UInt8], relativeTo directory: CInt = AT_FDCWD, shownAs path: String, _ access: Access,
                     followingSymlinks: Bool) throws(AgentError) -> FileDescriptor? {
        var flags = O_CLOEXEC | O_NONBLOCK | O_NOCTTY
        if !followingSymlinks { flags |= O_NOFOLLOW }
        var mode: mode_t = 0
        switch access {
        case .read: flags |= O_RDONLY
        case .append(let permissions):
            flags |= O_RDWR | O_APPEND | O_CREAT
            mode = permissions.rawValue
        }
        let raw: CInt
        switch FileName(bytes: bytes).withCString({ raw in valueOrErrno("openat") { openat(directory, raw, flags, mode) } }) {
        case .success(let opened): raw = opened
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(.tooManySymbolicLinkLevels):
            throw AgentError(.io, "Refusing a symbolic link where a file must be", path: path)
        case .failure(.noSuchAddressOrDevice), .failure(.isDirectory):
            throw AgentError(.io, "Not a regular file", path: path)
        case .failure(let failure):
            throw AgentError(.io, "Cannot open a file", path: path, cause: .system(failure))
        }
        let descriptor = FileDescriptor(rawValue: raw)
        do {
            try requireRegular(descriptor, path: path)
        } catch {
            _ = Glibc.close(raw)
            throw error
        }
        return descriptor
    }

    /// Throws unless `descriptor` is a regular file.
    static func requireRegular(_ descriptor: FileDescriptor, path: String) throws(AgentError) {
        let status = try resultOrErrno("fstat") { () throws(Errno) -> Stat in try descriptor.stat() }
            .orThrow("Cannot inspect a file", path: path)
        guard status.type == .regular else {
            throw AgentError(.io, "Not a regular file (\(OpenDirectory.kind(of: status.type)))", path: path)
        }
    }

    /// The contents of the regular file at `path`, at most `limit` bytes; nil when it does
    /// not exist.
    public static func read(_ path: String, limit: Int, followingSymlinks: Bool = false) throws(AgentError) -> [UInt8]? {
        guard let descriptor = try open(path, .read, followingSymlinks: followingSymlinks) else { return nil }
        defer { _ = Glibc.close(descriptor.rawValue) }
        return try readAll(descriptor, path: path, limit: limit)
    }

    /// `read(_:limit:)` for a path given as bytes, as the shell passed it (CLI.md "File names,
    /// output and secrets"); messages show it escaped.
    public static func read(bytes path: [UInt8], limit: Int) throws(AgentError) -> [UInt8]? {
        let shown = DisplayText.escaping(path)
        guard let descriptor = try open(bytes: path, shownAs: shown, .read, followingSymlinks: false) else { return nil }
        defer { _ = Glibc.close(descriptor.rawValue) }
        return try readAll(descriptor, path: shown, limit: limit)
    }

    /// Everything from `descriptor` (a regular file), refusing more than `limit` bytes —
    /// checked while reading, so a file that grows meanwhile cannot exceed it.
    static func readAll(_ descriptor: FileDescriptor, path: String, limit: Int) throws(AgentError) -> [UInt8] {
        try requireRegular(descriptor, path: path)
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                valueOrErrno("read") { Glibc.read(descriptor.rawValue, buffer.baseAddress, buffer.count) }
            }.orThrow("Cannot read a file", path: path)
            if count == 0 { return contents }
            guard contents.count + count <= limit else {
                throw AgentError(.io, "The file is larger than the limit of \(limit) bytes", path: path)
            }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// Appends `record` (one line, ending in its newline) to the regular file open at
    /// `descriptor` (with `O_APPEND`; `path` names it in messages), so that the file only ever
    /// holds whole records (CLI.md "Audit lines are whole").
    ///
    /// The record goes out in one `write` with `O_APPEND`, never as pieces that another writer
    /// or a full filesystem could separate. A short write — a filesystem with room for only part
    /// of it — is cut back with `ftruncate` to where the record began, so the next record starts
    /// clean instead of continuing half a line. Where it began is the offset after the write less
    /// what was written: `O_APPEND` put it at the end of the file at that instant, whatever was
    /// appended before. A file that already ends inside a record (a power cut between the write
    /// and the cut) gets a newline in front of the new record, in the same write.
    static func append(_ record: [UInt8], to descriptor: FileDescriptor, path: String) throws(AgentError) {
        let bytes = endsInsideRecord(descriptor) ? [UInt8(ascii: "\n")] + record : record
        let written = try bytes.withUnsafeBytes { buffer in
            valueOrErrno("write") { Glibc.write(descriptor.rawValue, buffer.baseAddress, buffer.count) }
        }.orThrow("Cannot write a file", path: path)
        guard written < bytes.count else { return }
        let start = valueOrErrno("lseek") { lseek(descriptor.rawValue, 0, SEEK_CUR) }.map { $0 - off_t(written) }
        let cut = start.flatMap { start in nothingOrErrno("ftruncate") { ftruncate(descriptor.rawValue, start) } }
        let outcome: String
        switch cut {
        case .success: outcome = "the partial line was removed"
        case .failure(let failure): outcome = "the partial line could not be removed (\(failure))"
        }
        throw AgentError(.io, "Cannot write a file", path: path,
                         cause: .text("only \(written) of \(bytes.count) bytes fit (is the filesystem full?); \(outcome)"))
    }

    /// True when the file's last byte is not a newline: a record was cut off by a crash.
    /// A file that cannot be read back counts as ending cleanly; the append itself reports
    /// what is wrong with it.
    private static func endsInsideRecord(_ descriptor: FileDescriptor) -> Bool {
        guard case .success(let status) = resultOrErrno("fstat", { () throws(Errno) -> Stat in try descriptor.stat() }),
              status.size > 0 else { return false }
        var last: UInt8 = 0
        let read = valueOrErrno("pread64") { pread(descriptor.rawValue, &last, 1, off_t(status.size) - 1) }
        return read == .success(1) && last != UInt8(ascii: "\n")
    }

    /// The size of the file at `path` (a symbolic link itself, not its target); nil when absent.
    public static func size(of path: String) -> Int? {
        guard let status = try? FilePath(path).stat(followTargetSymlink: false) else { return nil }
        return Int(status.size)
    }
}

/// The agent's own files, reached by name in their open directory (`OpenDirectory`): the
/// same rules as `RegularFile`'s, and the same messages, for files whose directory the
/// caller holds.
extension OpenDirectory {
    /// The contents of the regular file `name`, at most `limit` bytes; nil when it does not
    /// exist. A symbolic link, FIFO, device or directory in its place is an error, never
    /// followed and never waited on.
    public func read(_ name: FileName, limit: Int) throws(AgentError) -> [UInt8]? {
        guard let file = try RegularFile.open(bytes: name.bytes, relativeTo: descriptor.rawValue, shownAs: display(name),
                                              .read, followingSymlinks: false) else { return nil }
        defer { _ = Glibc.close(file.rawValue) }
        return try RegularFile.readAll(file, path: display(name), limit: limit)
    }

    /// Appends `record` (one line, ending in its newline) to the regular file `name`, creating
    /// it with `permissions` when needed, so that the file only ever holds whole records
    /// (`RegularFile.append`).
    public func append(_ record: [UInt8], to name: FileName, permissions: FileModeBits) throws(AgentError) {
        guard let file = try RegularFile.open(bytes: name.bytes, relativeTo: descriptor.rawValue, shownAs: display(name),
                                              .append(permissions: FilePermissions(rawValue: permissions)),
                                              followingSymlinks: false) else {
            throw AgentError(.io, "Cannot create a file", path: display(name))
        }
        defer { _ = Glibc.close(file.rawValue) }
        try RegularFile.append(record, to: file, path: display(name))
    }

    /// The size of `name` (a symbolic link itself, not its target); nil when it is absent or
    /// cannot be inspected.
    public func size(of name: FileName) -> Int? {
        let status = name.withCString { name in
            resultOrErrno("fstatat") { () throws(Errno) -> Stat in
                try Stat(name, relativeTo: descriptor, flags: .symlinkNoFollow)
            }
        }
        guard case .success(let found) = status else { return nil }
        return Int(found.size)
    }
}
