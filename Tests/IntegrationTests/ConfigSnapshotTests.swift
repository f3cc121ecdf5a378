import Foundation
import Testing
import TestSupport

/// `config snapshot` end to end (ENTITLEMENTS.md "Frozen configuration" 1): the `.path` unit
/// on `/wfs/group.ini` runs it at every settings change, so a change made on the PAS's last
/// day, after that day's check, is the last good configuration the freeze keeps. It records
/// and never reverts: while frozen, or once the PAS expired, it says why and leaves every file
/// as it is. The built binary at absolute faked dates, with absolute license dates.
@Suite struct ConfigSnapshotTests {
    static let original = "network.proxy.host=proxy.example.com\nuserinterface.theme=dark\n"
    static let changed = "network.proxy.host=proxy.example.com\nuserinterface.theme=light\n"

    /// A device with a PAS whose last day is 2026-12-31 and the original settings.
    static func device(os: String = "12.5.0") throws -> DeviceTree {
        let device = try DeviceTree(osVersion: os)
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.directory.write("wfs/group.ini", original)
        return device
    }

    static func settings(_ device: DeviceTree) -> String? {
        try? String(contentsOfFile: device.directory.appending("wfs/group.ini"), encoding: .utf8)
    }

    static func lastGoodCopy(_ device: DeviceTree) -> String? {
        try? String(contentsOfFile: device.directory.appending("wfs/license-agent/last-good/group.ini"), encoding: .utf8)
    }

    static func exists(_ device: DeviceTree, _ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: device.directory.appending(relative))
    }

    static func auditActions(_ device: DeviceTree) -> [String] { FrozenConfigurationTests.auditActions(device) }

    /// The story of the issue: the 00:05 check of the PAS's last day records the settings, the
    /// UMS pushes a change in the afternoon, and the first check after expiry keeps that change.
    @Test func changeOnTheLastDayAfterTheCheckSurvivesTheFreeze() throws {
        let device = try Self.device()
        #expect(try device.agent(["check"], at: "2026-12-31 00:05:00").status == 0)

        try device.directory.write("wfs/group.ini", Self.changed)
        let snapshot = try device.agent(["config", "snapshot"], at: "2026-12-31 15:00:05")
        #expect(snapshot.status == 0, "\(snapshot)")
        #expect(snapshot.stdout.contains("Recorded"), "\(snapshot)")
        #expect(Self.lastGoodCopy(device) == Self.changed)

        let check = try device.agent(["check", "--json"], at: "2027-01-01 00:05:00")
        #expect(check.status == 0, "an expired PAS still licenses the device: \(check)")
        #expect((try check.json()["configuration"] as? [String: Any])?["frozen"] as? Bool == true)
        #expect(Self.settings(device) == Self.changed, "the change made while the PAS was active is kept")
        let status = try device.agent(["config", "status", "--json"], at: "2027-01-01 00:06:00")
        let configuration = try #require(try status.json()["configuration"] as? [String: Any])
        #expect(configuration["snapshotSource"] as? String == "last-good")
        #expect((configuration["snapshotRecordedAt"] as? String)?.hasPrefix("2026-12-31T15:00") == true, "\(configuration)")
        #expect(Self.auditActions(device) == ["config-last-good", "config-last-good", "config-freeze"],
                "recorded twice, frozen, never restored")
        let frozen = try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("wfs/license-agent/frozen"))
        #expect(!frozen.contains { $0.hasPrefix("group.ini.reverted-") }, "\(frozen)")
    }

    /// The same settings again (the `.path` unit also fires on the agent's own writes):
    /// nothing is rewritten, exit 0.
    @Test func unchangedSettingsAreNotRecordedAgain() throws {
        let device = try Self.device()
        #expect(try device.agent(["config", "snapshot"], at: "2026-12-20 10:00:00").status == 0)
        let again = try device.agent(["config", "snapshot", "--json"], at: "2026-12-20 10:01:00")
        #expect(again.status == 0, "\(again)")
        let json = try again.json()
        #expect(json["schemaVersion"] as? Int == 1)
        #expect(json["outcome"] as? String == "unchanged")
        #expect(json["recorded"] as? Bool == false)
        #expect(Self.auditActions(device) == ["config-last-good"])
    }

    /// Frozen, and the settings changed behind the agent's back: not recorded, not reverted
    /// (that is the next check's job), exit 2 with the reason.
    @Test func whileFrozenAChangeIsNeitherRecordedNorReverted() throws {
        let device = try Self.device()
        #expect(try device.agent(["check"], at: "2026-12-20 10:00:00").status == 0)
        #expect(try device.agent(["check"], at: "2027-01-02 10:00:00").status == 0)
        try device.directory.write("wfs/group.ini", Self.changed)

        let refused = try device.agent(["config", "snapshot", "--json"], at: "2027-01-02 11:00:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("frozen since 2026-12-31"), "\(refused)")
        #expect(try refused.json()["outcome"] as? String == "frozen")
        #expect(Self.settings(device) == Self.changed, "config snapshot never reverts")
        #expect(Self.lastGoodCopy(device) == Self.original)
        #expect(Self.auditActions(device) == ["config-last-good", "config-freeze"])

        // The check puts the frozen settings back; a snapshot of them is nothing to do.
        #expect(try device.agent(["check"], at: "2027-01-03 10:00:00").status == 0)
        #expect(Self.settings(device) == Self.original)
        let quiet = try device.agent(["config", "snapshot"], at: "2027-01-03 10:00:05")
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stderr.isEmpty, "\(quiet)")
    }

    /// The PAS expired and no check has frozen yet: `config snapshot` does not record the
    /// change (the freeze keeps the settings from before the expiry) and does not freeze either.
    @Test func afterExpiryBeforeTheFreezingCheckNothingIsRecorded() throws {
        let device = try Self.device()
        #expect(try device.agent(["check"], at: "2026-12-31 00:05:00").status == 0)
        try device.directory.write("wfs/group.ini", Self.changed)
        let refused = try device.agent(["config", "snapshot"], at: "2027-01-01 00:01:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("expired on 2026-12-31"), "\(refused)")
        #expect(Self.lastGoodCopy(device) == Self.original)
        #expect(!Self.exists(device, "wfs/license-agent/frozen/marker.json"), "config snapshot never freezes")
        #expect(Self.settings(device) == Self.changed)
    }

    /// No freeze can happen on IGEL OS 11 or without a PAS: nothing to record, exit 0, no state written.
    @Test(arguments: [("11.08.100", true), ("12.5.0", false)])
    func nothingToRecordWhereNothingFreezes(os: String, withPAS: Bool) throws {
        let device = try DeviceTree(osVersion: os)
        if withPAS {
            try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        }
        try device.directory.write("wfs/group.ini", Self.original)
        let result = try device.agent(["config", "snapshot", "--json"], at: "2026-12-20 10:00:00")
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["outcome"] as? String == "not-applicable")
        #expect(!Self.exists(device, "wfs/license-agent/last-good"))
    }

    /// A settings file the agent may not read is an error naming it (DELIVERY.md), exit 1.
    @Test func unreadableSettingsAreAnError() throws {
        let device = try Self.device()
        let target = try device.directory.write("elsewhere.ini", "a=b\n")
        let settings = device.directory.appending("wfs/group.ini")
        try FileManager.default.removeItem(atPath: settings)
        try FileManager.default.createSymbolicLink(atPath: settings, withDestinationPath: target)
        let result = try device.agent(["config", "snapshot"], at: "2026-12-20 10:00:00")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains(settings), "\(result)")
        #expect(!Self.exists(device, "wfs/license-agent/last-good"))
    }
}
