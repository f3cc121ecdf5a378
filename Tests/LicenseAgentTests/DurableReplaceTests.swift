import Foundation
import LicensePlatform
import LicensePolicy
import SystemPackage
import Testing
import TestSupport

/// `OpenDirectory.replace`, the one way the store and the agent's state write a whole file:
/// old or new content whatever call fails, the rename as the commit point, and messages that
/// name the target, never the temp file.
@Suite struct DurableReplaceTests {
    static let old = Array("old\n".utf8), new = Array("new\n".utf8)

    /// Runs `body` with a directory holding `name` with the old content, opened.
    static func withDirectory(holding name: FileName, _ body: (OpenDirectory) throws -> Void) throws {
        let temporary = try TemporaryDirectory("replace")
        let opened = try #require(try OpenDirectory.open(temporary.path))
        try opened.writeNewFile(name, old)
        try withExtendedLifetime(temporary) { try body(opened) }
    }

    /// The names in `directory` and the content of `name`.
    static func state(_ directory: OpenDirectory, _ name: FileName) throws -> (names: [FileName], content: [UInt8]?) {
        (try directory.entries().map(\.name), try directory.read(name, limit: 1 << 10))
    }

    @Test(arguments: ["unlinkat", "openat", "write", "fsync", "renameat"], [Errno.ioError, .noSpace])
    func aFailureBeforeTheRenameLeavesTheOldFileAndNamesTheTarget(syscall: String, errno: Errno) throws {
        let name: FileName = "state.json"
        try Self.withDirectory(holding: name) { (directory: OpenDirectory) throws in
            let faults = SystemCallFaults(failing: syscall, call: 1, with: errno)
            let outcome = faults.run { Result { () throws(AgentError) -> AgentError? in try directory.replace(name, with: Self.new) } }
            guard case .failure(let error) = outcome else {
                Issue.record("\(errno) at \(syscall): the replacement succeeded")
                return
            }
            #expect(error.path == directory.display(name), "\(error.sentence)")
            #expect(!error.sentence.contains(DurableFile.temporaryMarker), "\(error.sentence)")
            #expect(try Self.state(directory, name) == ([name], Self.old))
        }
    }

    /// The second fsync is the directory's, after the rename: the new file stands, and the
    /// failure is returned for the caller to warn about, never thrown.
    @Test func aFailedFlushAfterTheRenameIsReturnedNotThrown() throws {
        let name: FileName = "group.ini"
        try Self.withDirectory(holding: name) { (directory: OpenDirectory) throws in
            let faults = SystemCallFaults(failing: "fsync", call: 2, with: .ioError)
            let notDurable = try faults.run { try directory.replace(name, with: Self.new) }
            #expect(notDurable?.summary == "Cannot flush a directory to disk")
            #expect(try Self.state(directory, name) == ([name], Self.new))
        }
    }

    /// The temp name is made of the target's bytes, not of its display form: a name that is
    /// not UTF-8 is replaced as itself.
    @Test func aNameThatIsNotUTF8IsReplacedAsItself() throws {
        let name = FileName(bytes: Array("caf".utf8) + [0xE9] + Array(".ini".utf8))
        try Self.withDirectory(holding: name) { (directory: OpenDirectory) throws in
            let faults = SystemCallFaults()
            _ = try faults.run { try directory.replace(name, with: Self.new) }
            #expect(try Self.state(directory, name) == ([name], Self.new))
            #expect(faults.counts["renameat"] == 1 && faults.counts["fsync"] == 2, "\(faults.counts)")
        }
    }
}
