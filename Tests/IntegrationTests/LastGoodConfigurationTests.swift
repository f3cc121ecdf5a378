import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// The last good configuration and the delivery keys, in process on a real temp device tree
/// (ENTITLEMENTS.md "Frozen configuration" 1 and 4, DELIVERY.md).
@Suite struct LastGoodConfigurationTests {
    typealias Device = ConfigurationGuardTests.Device

    static let activePAS = ProductStatus(product: "PAS", state: .active, model: .subscription,
                                         starts: CalendarDay(parsing: "2025-11-01")!,
                                         expires: ConfigurationGuardTests.expiredOn, daysLeft: 40)
    static let recordedAt = Timestamp(rfc3339: "2026-09-20T08:00:00Z")!
    static let link = "system.remotemanager.license_download_url=https://ums.example.com:8443/licenses/00E0C51C5087.lic\n"

    @Test func everyCheckWhileThePASIsActiveRecordsTheSettingsOnce() throws {
        let device = try Device()
        let guard_ = device.guard_
        #expect(try guard_.enforce(generation: .os12, pas: Self.activePAS, now: Self.recordedAt).action == .nothing)
        let lastGood = LastGoodConfiguration(layout: guard_.layout)
        let recorded = try #require(try lastGood.read())
        #expect(recorded.settings.map { String(decoding: $0, as: UTF8.self) } == ConfigurationGuardTests.original)
        #expect(recorded.record.recordedAt == "2026-09-20T08:00:00Z")
        #expect(recorded.record.pasExpires == "2026-10-31")
        #expect(recorded.record.digest == (try ConfigurationGuardTests.sha256(device.settingsPath)))
        // The same settings again: nothing is rewritten, nothing logged.
        _ = try guard_.enforce(generation: .os12, pas: Self.activePAS, now: Self.recordedAt.adding(seconds: 86_400))
        #expect(try lastGood.read()?.record.recordedAt == "2026-09-20T08:00:00Z")
        #expect(device.auditActions().map { $0["action"] as? String } == ["config-last-good"])
        // OS 11 records nothing.
        let os11 = try Device()
        _ = try os11.guard_.enforce(generation: .os11, pas: Self.activePAS, now: Self.recordedAt)
        #expect(!os11.exists("wfs/license-agent/last-good"))
    }

    /// "The settings will be kept as they were defined before the license expired": the
    /// freeze restores the last good configuration, not what the device holds after expiry.
    @Test func freezeRestoresTheLastGoodConfigurationAndKeepsTheDeliveryKeys() throws {
        let device = try Device()
        _ = try device.guard_.enforce(generation: .os12, pas: Self.activePAS, now: Self.recordedAt)
        let afterExpiry = "userinterface.theme=changed-after-expiry\n" + Self.link
        try device.directory.write("wfs/group.ini", afterExpiry)

        let state = try device.freeze()
        #expect(state.action == .freeze(pasExpired: ConfigurationGuardTests.expiredOn))
        #expect(state.since == ConfigurationGuardTests.expiredOn)
        #expect(state.snapshotSource == .lastGood)
        #expect(state.snapshotRecordedAt == "2026-09-20T08:00:00Z")
        #expect(device.settings() == ConfigurationGuardTests.original + Self.link,
                "the last good settings, with the link the UMS wrote since")
        let aside = device.names(in: "wfs/license-agent/frozen").filter { $0.hasPrefix("group.ini.reverted-") }
        #expect(aside.count == 1)
        #expect(device.auditActions().compactMap { $0["action"] as? String }
                    == ["config-last-good", "config-freeze", "config-restore"])
        #expect(try device.freeze().action == .keep, "the restored file matches the snapshot")
    }

    @Test func aChangedLinkIsNeverRevertedWhileFrozen() throws {
        let device = try Device()
        try device.freeze()
        try device.directory.write("wfs/group.ini", ConfigurationGuardTests.original + Self.link)
        #expect(try device.freeze().action == .keep, "only a delivery key changed")
        #expect(device.settings() == ConfigurationGuardTests.original + Self.link)
        // Another change beside the link: the snapshot comes back, the link stays.
        try device.directory.write("wfs/group.ini", "userinterface.theme=hacked\n" + Self.link)
        #expect(try device.freeze().action == .restore)
        #expect(device.settings() == ConfigurationGuardTests.original + Self.link)
    }

    @Test func frozenApplyAcceptsOnlyDeliveryKeyChangesAndInstallsOnlyThose() throws {
        let device = try Device()
        try device.freeze()
        // Same configuration in another order with a new link: accepted.
        let reordered = try device.directory.write("incoming/link.ini", "# from the UMS\n" + Self.link
            + "userinterface.theme=dark\nnetwork.proxy.host=proxy.example.com\n")
        let applied = try device.guard_.apply(newFile: reordered, now: ConfigurationGuardTests.now)
        #expect(applied.deliveryKeysOnly)
        #expect(device.settings() == ConfigurationGuardTests.original + Self.link,
                "the frozen settings as they were, plus the delivery keys")
        let last = try #require(device.auditActions().last)
        #expect(last["outcome"] as? String == "applied delivery keys")
        // A file that changes anything else is refused and changes nothing.
        let other = try device.directory.write("incoming/other.ini", Self.link + "userinterface.theme=light\n")
        let error = #expect(throws: AgentError.self) { try device.guard_.apply(newFile: other, now: ConfigurationGuardTests.now) }
        #expect(error?.code == .refused)
        #expect(error?.sentence.contains("only the license delivery keys may change while frozen") == true)
        #expect(device.settings() == ConfigurationGuardTests.original + Self.link)
    }

    @Test func applyWhileThePASIsActiveRecordsTheNewSettings() throws {
        let device = try Device()
        let candidate = try device.directory.write("incoming/new.ini", "userinterface.theme=light\n")
        _ = try device.guard_.apply(newFile: candidate, now: Self.recordedAt, generation: .os12, pas: Self.activePAS)
        let recorded = try #require(try LastGoodConfiguration(layout: device.guard_.layout).read())
        #expect(recorded.settings.map { String(decoding: $0, as: UTF8.self) } == "userinterface.theme=light\n")
    }

    @Test func aTamperedLastGoodCopyIsAnError() throws {
        let device = try Device()
        _ = try device.guard_.enforce(generation: .os12, pas: Self.activePAS, now: Self.recordedAt)
        try device.directory.write("wfs/license-agent/last-good/group.ini", "forged=1\n")
        let error = #expect(throws: AgentError.self) { try device.freeze() }
        #expect(error?.code == .invalidData)
        #expect(error?.sentence.contains("does not match its record") == true)
        #expect(device.settings() == ConfigurationGuardTests.original)
        #expect(try device.guard_.state() == .notFrozen)
    }
}
