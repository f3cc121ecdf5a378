import Foundation
import Testing
import TestSupport

/// The last good configuration's copy and record are a pair that one failed syscall never
/// splits (CLI.md "Pairs are written in an order that survives a fault"): every write,
/// fsync, rename and unlink of `last-good/` while `config apply` records new settings fails
/// in turn, and the freeze afterwards restores the old settings or the new ones — never
/// "the copy does not match its record", which once stopped the freeze for good.
@Suite struct LastGoodPairTests {
    static let original = "userinterface.theme=dark\n", changed = "userinterface.theme=light\n"

    /// A device whose last good configuration holds `original`, with `changed` offered.
    static func device() throws -> (DeviceTree, String) {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.directory.write("wfs/group.ini", original)
        #expect(try FrozenConfigurationTests.agent(device, ["check"], at: "2026-12-15 09:00:00").status == 0)
        return (device, try device.candidate("changed.ini", Data(changed.utf8)))
    }

    /// `config apply CANDIDATE` under strace with `options`, on the PAS's last active days.
    static func apply(_ device: DeviceTree, _ candidate: String, strace options: [String]) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.fakeClock("2026-12-15 09:05:00")
            + Umockdev.reproducible("device") + ["strace", "-f", "-qq"] + options
            + [Umockdev.agent, "config", "apply", "--root", device.root, candidate])
    }

    @Test(arguments: ["openat", "write", "fsync", "renameat", "unlinkat"])
    func aFaultWhileRecordingNeverSplitsThePair(syscall: String) throws {
        let (probe, candidate) = try Self.device()
        let trace = probe.directory.appending("trace")
        _ = try Self.apply(probe, candidate, strace: ["-y", "-o", trace, "-e", "trace=\(syscall)"])
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(" \(syscall)(") }
        let calls = lines.indices.filter { lines[$0].contains("last-good") }.map { $0 + 1 }
        if syscall != "unlinkat" { try #require(!calls.isEmpty, "config apply records the last good configuration") }
        for call in calls {
            let (device, candidate) = try Self.device()
            _ = try Self.apply(device, candidate, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=EIO:when=\(call)"])
            let check = try FrozenConfigurationTests.agent(device, ["check"], at: "2027-01-05 09:00:00")
            #expect(!check.stderr.contains("does not match its record"), "EIO at \(syscall) #\(call): \(check)")
            #expect(check.status != 1, "EIO at \(syscall) #\(call): the freeze works: \(check)")
            let frozen = FrozenConfigurationTests.settings(device)
            #expect(frozen == Self.original || frozen == Self.changed, "EIO at \(syscall) #\(call): \(frozen ?? "no settings")")
        }
    }
}
