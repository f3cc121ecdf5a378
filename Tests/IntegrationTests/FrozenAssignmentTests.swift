import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// The removal-profile assignment as part of the frozen configuration, in process on a real
/// temp device tree (ENTITLEMENTS.md "Frozen configuration" 4): the freeze records what is
/// assigned, a marker from before that learns it at the next check, and the summary `status`
/// shows says whether the assigned profile may run.
@Suite struct FrozenAssignmentTests {
    typealias Device = ConfigurationGuardTests.Device
    static let profile = "name: RemoveAllLocalLicenses\ndescription: all\nselector: all\n"

    static func marker(_ device: Device) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: device.directory.appending("wfs/license-agent/frozen/marker.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func assigned(_ marker: [String: Any]) -> [[String: String]]? {
        marker["assignedProfiles"] as? [[String: String]]
    }

    @Test func theFreezeRecordsWhatIsAssigned() throws {
        let device = try Device()
        let path = try device.directory.write("wfs/license-profiles/RemoveAllLocalLicenses.profile", Self.profile)
        try device.freeze()
        #expect(Self.assigned(try Self.marker(device)) == [
            ["file": "RemoveAllLocalLicenses.profile", "sha256": try ConfigurationGuardTests.sha256(path)],
        ])

        let empty = try Device()
        try empty.freeze()
        #expect(Self.assigned(try Self.marker(empty)) == [], "nothing assigned is recorded as nothing, not unknown")
    }

    /// A marker written before assignments were recorded: the next check records what is
    /// assigned then, and from there on a new profile is one assigned after the freeze.
    @Test func anOldMarkerLearnsTheAssignmentAtTheNextCheck() throws {
        let device = try Device()
        try device.freeze()
        var marker = try Self.marker(device)
        marker.removeValue(forKey: "assignedProfiles")
        try device.directory.write("wfs/license-agent/frozen/marker.json",
                                   try JSONSerialization.data(withJSONObject: marker))
        try device.directory.write("wfs/license-profiles/RemoveAllLocalLicenses.profile", Self.profile)
        let profiles = RemovalProfiles(layout: device.guard_.layout)
        #expect(profiles.summary()?.state != "frozen", "unknown assignment: the assigned profile may run")

        #expect(try device.freeze().action == .keep)
        #expect(Self.assigned(try Self.marker(device))?.map { $0["file"] } == ["RemoveAllLocalLicenses.profile"])
        #expect(profiles.summary()?.state != "frozen")

        try device.directory.write("wfs/license-profiles/RemoveAllLocalLicenses.profile",
                                   Self.profile.replacingOccurrences(of: "description: all", with: "description: edited"))
        let summary = try #require(profiles.summary())
        #expect(summary.state == "frozen")
        #expect(summary.wouldRemove.isEmpty)
        #expect(summary.warning?.code == .profileFrozen)
        #expect(summary.detail?.contains("froze on 2026-10-31") == true, "\(summary)")
    }

    /// A marker that cannot be read counts as frozen for the profile too (the safe reading).
    @Test func anUnreadableMarkerStopsTheProfile() throws {
        let device = try Device()
        try device.directory.write("wfs/license-agent/frozen/marker.json", "{ not json")
        try device.directory.write("wfs/license-profiles/RemoveAllLocalLicenses.profile", Self.profile)
        let summary = try #require(RemovalProfiles(layout: device.guard_.layout).summary())
        #expect(summary.state == "frozen")
        #expect(summary.warning?.code == .profileFrozen)
    }

    /// `config snapshot` in process: records while the PAS is active, never while frozen,
    /// and never changes the settings file or the freeze.
    @Test func snapshotRecordsOnlyWhileThePASIsActive() throws {
        let device = try Device()
        let lastGood = LastGoodConfiguration(layout: device.guard_.layout)
        let active = LastGoodConfigurationTests.activePAS
        let recorded = try device.guard_.snapshot(generation: .os12, pas: active, now: LastGoodConfigurationTests.recordedAt)
        #expect(recorded.decision == .record)
        #expect(recorded.recorded)
        #expect(try lastGood.read()?.record.pasExpires == "2026-10-31")
        let again = try device.guard_.snapshot(generation: .os12, pas: active, now: LastGoodConfigurationTests.recordedAt)
        #expect(!again.recorded)

        try device.freeze()
        try device.directory.write("wfs/group.ini", "userinterface.theme=changed\n")
        let frozen = try device.guard_.snapshot(generation: .os12, pas: ConfigurationGuardTests.expiredPAS,
                                                now: ConfigurationGuardTests.now)
        #expect(frozen.decision == .frozenChanged)
        #expect(frozen.configuration.frozen)
        #expect(device.settings() == "userinterface.theme=changed\n")
        #expect(try lastGood.read()?.settings.map { String(decoding: $0, as: UTF8.self) } == ConfigurationGuardTests.original)
        #expect(frozen.sentence(settingsFile: "/wfs/group.ini").contains("frozen since 2026-10-31"))
    }
}
