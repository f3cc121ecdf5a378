import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The writer lock is scoped to `withLock`'s body (`../shared/style/EXAMPLES.md` item 5): held
/// for exactly as long as the body runs, released when it returns or throws — whatever
/// happens to the lock object — and refused when a FIFO or symlink stands in its place.
@Suite struct FileLockTests {
    /// `flock -n PATH true`: exit 0 when the lock is free, 1 when another holder has it.
    static func isFree(_ path: String) throws -> Bool {
        try ProcessRunner.run(["flock", "-n", path, "true"]).status == 0
    }

    @Test func heldForTheBodyAndReleasedAfterIt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("lock")
        var escaped: FileLock?
        let seenInside = try FileLock.withLock(path: path, purpose: "test") { lock in
            escaped = lock
            return (try? Self.isFree(path)) ?? true
        }
        #expect(seenInside == false, "another process must not get the lock while the body runs")
        #expect(try Self.isFree(path), "released when the body returned, although the object lives on")
        #expect(escaped?.isHeld == false)
    }

    @Test func releasedWhenTheBodyThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("lock")
        #expect(throws: AgentError.self) {
            try FileLock.withLock(path: path, purpose: "test") { _ throws(AgentError) in
                throw AgentError(.io, "the body failed")
            }
        }
        #expect(try Self.isFree(path))
    }

    @Test func aSecondWriterWaitsThenNamesTheHolder() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("lock")
        do {
            try FileLock.withLock(path: path, purpose: "outer") { _ throws(AgentError) in
                try FileLock.withLock(path: path, purpose: "inner", timeout: .milliseconds(200)) { _ in }
            }
            Issue.record("the second writer must not get the lock")
        } catch {
            #expect(error.code == .lockBusy)
            #expect(error.sentence.contains("pid=\(getpid()) outer"), "\(error.sentence)")
        }
    }

    @Test func aFIFOInPlaceOfTheLockIsRefusedNotWaitedOn() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("lock")
        #expect(mkfifo(path, 0o600) == 0)
        do {
            try FileLock.withLock(path: path, purpose: "test") { _ in }
            Issue.record("a FIFO is not a lock file")
        } catch {
            #expect(error.sentence.contains("Not a regular file"), "\(error.sentence)")
        }
    }
}
