import Foundation
import Testing
import TestSupport

/// The frozen configuration end to end (ENTITLEMENTS.md "Frozen configuration"): the built
/// binary, `faketime` moving the clock across the PAS expiry, `check` freezing, restoring and
/// thawing, `config apply` refused and then allowed again.
@Suite struct FrozenConfigurationTests {
    static let original = "network.proxy.host=proxy.example.com\nuserinterface.theme=dark\n"

    /// Runs `license-agent SUBCOMMAND… --root ROOT ARGS…` under umockdev at `time`
    /// (nested subcommands such as `config apply` take their options after the last name).
    static func agent(_ device: DeviceTree, _ names: [String], _ arguments: [String] = [], at time: String) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.fakeClock(time) + ["umockdev-run", "-d", try Umockdev.fixture("device"), "--",
                               Umockdev.agent] + names + ["--root", device.root] + arguments)
    }

    static func settings(_ device: DeviceTree) -> String? {
        try? String(contentsOfFile: device.directory.appending("wfs/group.ini"), encoding: .utf8)
    }

    static func auditActions(_ device: DeviceTree) -> [String] {
        let text = (try? String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["action"] as? String
        }.filter { $0.hasPrefix("config-") }
    }

    @Test func wholeLifecycleAcrossExpiryAndRenewal() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.directory.write("wfs/group.ini", Self.original)
        let first = try device.candidate("first.ini", Data("userinterface.theme=light\n".utf8))
        let second = try device.candidate("second.ini", Data("userinterface.theme=blue\n".utf8))

        // Active PAS: check changes nothing, config apply installs and keeps the previous file.
        #expect(try Self.agent(device, ["check"], at: "2026-12-15 09:00:00").status == 0)
        let applied = try Self.agent(device, ["config", "apply"], [first], at: "2026-12-15 09:05:00")
        #expect(applied.status == 0, "\(applied)")
        #expect(Self.settings(device) == "userinterface.theme=light\n")
        #expect(try String(contentsOfFile: device.directory.appending("wfs/group.ini.previous"), encoding: .utf8) == Self.original)

        // The first check after expiry freezes.
        let check = try Self.agent(device, ["check"], at: "2027-01-05 09:00:00")
        #expect(check.status == 0, "\(check)")
        let status = try Self.agent(device, ["config", "status"], ["--json"], at: "2027-01-05 09:01:00")
        let configuration = try #require(try status.json()["configuration"] as? [String: Any])
        #expect(configuration["frozen"] as? Bool == true)
        #expect(configuration["since"] as? String == "2026-12-31", "dated from the PAS's expiry day")
        #expect(configuration["pasExpired"] as? String == "2026-12-31")
        #expect(configuration["snapshotSource"] as? String == "last-good")
        #expect((configuration["snapshotRecordedAt"] as? String)?.hasPrefix("2026-12-15T09:05") == true,
                "the settings config apply installed while the PAS was active")

        // config apply is refused, and the settings stay as they were.
        let refused = try Self.agent(device, ["config", "apply"], [second], at: "2027-01-05 09:02:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("2026-12-31"))
        #expect(refused.stderr.contains("Import a renewed PAS license to lift the freeze"))
        #expect(Self.settings(device) == "userinterface.theme=light\n")

        // A change behind the agent's back is undone by the next check, and kept aside.
        try device.directory.write("wfs/group.ini", "userinterface.theme=sneaky\n")
        #expect(try Self.agent(device, ["check"], at: "2027-01-06 09:00:00").status == 0)
        #expect(Self.settings(device) == "userinterface.theme=light\n")
        let frozenFiles = try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("wfs/license-agent/frozen"))
        #expect(frozenFiles.contains { $0.hasPrefix("group.ini.reverted-") })

        // Importing a renewal is allowed; the next check thaws, and config apply works again.
        let renewal = try device.candidate("PAS-renewal.lic", device.sign(DeviceTree.document(
            product: "PAS", starts: "2027-01-01", expires: "2027-12-31")))
        let imported = try Self.agent(device, ["import"], [renewal], at: "2027-01-07 09:00:00")
        #expect(imported.status == 0, "\(imported)")
        #expect(try Self.agent(device, ["check"], at: "2027-01-07 09:01:00").status == 0)
        let thawed = try Self.agent(device, ["config", "status"], ["--json"], at: "2027-01-07 09:02:00")
        #expect((try thawed.json()["configuration"] as? [String: Any])?["frozen"] as? Bool == false)
        #expect(try Self.agent(device, ["config", "apply"], [second], at: "2027-01-07 09:03:00").status == 0)
        #expect(Self.settings(device) == "userinterface.theme=blue\n")
        #expect(Self.auditActions(device) == ["config-last-good", "config-apply", "config-last-good", "config-freeze",
                                              "config-apply", "config-restore", "config-thaw", "config-apply",
                                              "config-last-good"])
    }

    /// A PAS that expired since the last check freezes on `config apply` itself: the new
    /// file cannot slip in before the next boot.
    @Test func configApplyAfterExpiryFreezesBeforeAnyCheck() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2025-11-01", expires: "2026-11-15")
        try device.directory.write("wfs/group.ini", Self.original)
        let candidate = try device.candidate("new.ini", Data("userinterface.theme=light\n".utf8))
        let refused = try Self.agent(device, ["config", "apply"], [candidate], at: "2026-11-29 12:00:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("2026-11-15"))
        #expect(Self.settings(device) == Self.original)
        let status = try Self.agent(device, ["config", "status"], at: "2026-11-29 12:01:00")
        #expect(status.stdout.contains("frozen since 2026-11-15"))
        #expect(status.stdout.contains("never seen with an active PAS"), "\(status.stdout)")
        #expect(Self.auditActions(device) == ["config-freeze", "config-apply"])
    }

    @Test func configApplyRefusesABrokenFileWithExitOne() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2027-12-31")
        try device.directory.write("wfs/group.ini", Self.original)
        let candidate = try device.candidate("bad.ini", Data("ok=1\nnot a setting\n".utf8))
        let result = try Self.agent(device, ["config", "apply"], [candidate], at: "2026-11-29 12:00:00")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("line 2"))
        #expect(Self.settings(device) == Self.original)
    }
}
