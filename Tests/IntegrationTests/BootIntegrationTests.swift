import Foundation
import TestSupport
import Testing

/// How `check` behaves as `license-agent-check.service` runs it at boot: it waits for udev's
/// event queue before it reads the unit ID, and its lines carry journald priorities when
/// its output is the journal (issue 12, "Boot integration" and "Messages").
@Suite struct BootIntegrationTests {
    // MARK: udev's queue

    static var lateNICScript: String {
        URL(fileURLWithPath: Umockdev.fixturesDirectory).appendingPathComponent("late_nic.py").path
    }

    /// Runs `arguments` under the late-NIC testbed (the NIC appears `after` seconds in, then
    /// udev's queue file goes; 0: never), in a mount namespace whose `/run` is a fresh tmpfs.
    func underSettlingUdev(after seconds: Double, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                               "mount -t tmpfs -o mode=0755 tmpfs /run && exec \"$@\"", "sh",
                               try ProcessRunner.resolve("umockdev-wrapper"), LoopbackTestServer.python,
                               Self.lateNICScript, "--after", "\(seconds)", "--"] + arguments)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func checkWaitsForUdevBeforeReadingTheUnitID() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", units: [DeviceTree.fixtureUnit])
        let result = try underSettlingUdev(after: 1, [Umockdev.agent, "check", "--root", device.root, "--verbose"])
        // Without the wait, the check would read the unit ID before the NIC exists: unlicensed.
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Licensed: unit \(DeviceTree.fixtureUnit)"), "\(result)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let waited = try #require(lines.firstIndex { $0.contains("udev: waited") && $0.contains("ms for its event queue to be empty") },
                                  "\(result.stderr)")
        let unitRead = try #require(lines.firstIndex { $0.contains("unit ID \(DeviceTree.fixtureUnit)") }, "\(result.stderr)")
        #expect(waited < unitRead, "the wait comes before the unit ID is read: \(result.stderr)")
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func statusDoesNotWaitForUdev() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", units: [DeviceTree.fixtureUnit])
        let result = try underSettlingUdev(after: 1, [Umockdev.agent, "status", "--root", device.root, "--verbose", "--json"])
        // Only the boot check waits; status reads the unit ID at once (here: before the NIC appears).
        #expect(!result.stderr.contains("udev: waited"), "\(result.stderr)")
        #expect(try result.json()["unitId"] is NSNull, "\(result)")
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func aQueueThatNeverEmptiesDelaysTheCheckOnlyBoundedly() throws {
        let device = try DeviceTree()
        let result = try underSettlingUdev(after: 0, [Umockdev.agent, "check", "--root", device.root])
        // It gives up (after 10 s), warns without --verbose, and still publishes its answer.
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("udev's event queue was still not empty after"), "\(result.stderr)")
        #expect(result.stderr.contains("reading the unit ID anyway"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: device.root + "/run/license-agent/state.json"))
    }

    // MARK: journald priorities

    /// Runs the agent with stdout and stderr appended to one file, as systemd connects both to
    /// the journal's stream socket, and `JOURNAL_STREAM` set to that file's `DEVICE:INODE`
    /// (or to `journalStream` when given). Returns the exit status and the file's lines.
    func agentIntoJournal(_ arguments: [String], at time: String? = nil,
                          journalStream: String? = nil) throws -> (status: Int32, lines: [String]) {
        let directory = try TemporaryDirectory("journal")
        let output = try directory.write("journal.log", "")
        let identity = try ProcessRunner.checked(["stat", "-c", "%d:%i", output]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var command = ["umockdev-run", "-d", try Umockdev.fixture("device"), "--", Umockdev.agent] + arguments
        if let time { command = ProcessRunner.fakeClock(time) + command }
        let result = try ProcessRunner.run(["/bin/sh", "-c", "exec \"$@\" >>\"$JOURNAL_FILE\" 2>&1", "sh"] + command,
                                           environment: ["JOURNAL_FILE": output,
                                                         "JOURNAL_STREAM": journalStream ?? identity])
        let text = try String(contentsOfFile: output, encoding: .utf8)
        return (result.status, text.split(separator: "\n").map(String.init))
    }

    @Test func inTheJournalWarningsAndDebugLinesCarryTheirPriority() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", expires: "2026-12-10")
        let (status, lines) = try agentIntoJournal(["check", "--root", device.root, "--verbose"], at: "2026-12-01 12:00:00")
        #expect(status == 0, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<4>WARNING (expiring): ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<7>") && $0.contains("udev: waited") }, "\(lines)")
        // The result line is information: no prefix, so journald files it at the stream's default (info).
        #expect(lines.contains { $0.hasPrefix("Licensed: unit ") }, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("<") || $0.hasPrefix("Licensed: ") }, "\(lines)")
    }

    @Test func inTheJournalAnErrorIsAnErrorAndARefusalAWarning() throws {
        let device = try DeviceTree()
        let (failed, errorLines) = try agentIntoJournal(["import-usb", "--root", device.root, "--dir", device.root + "/no-such-stick"])
        #expect(failed == 1, "\(errorLines)")
        #expect(!errorLines.isEmpty && errorLines.allSatisfy { $0.hasPrefix("<3>") }, "\(errorLines)")

        let empty = try device.directory.makeDirectory("empty-stick")
        let (refused, refusalLines) = try agentIntoJournal(["import-usb", "--root", device.root, "--dir", empty])
        #expect(refused == 2, "\(refusalLines)")
        #expect(!refusalLines.isEmpty && refusalLines.allSatisfy { $0.hasPrefix("<4>") }, "\(refusalLines)")
    }

    @Test func outsideTheJournalNothingIsPrefixed() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", expires: "2026-12-10")
        // JOURNAL_STREAM inherited from a service, but this output is a file of its own.
        let (status, lines) = try agentIntoJournal(["check", "--root", device.root, "--verbose"], at: "2026-12-01 12:00:00",
                                                   journalStream: "1:1")
        #expect(status == 0, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("WARNING (expiring): ") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("<") }, "\(lines)")
    }
}
