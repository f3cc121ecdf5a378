import LicensePolicy
import Testing

/// `may-update`: the source's example, the strict "before", OS 12's refusal after expiry.
@Suite struct EntitlementUpdateRuleTests {
    static func entitlements(_ generation: OSGeneration, _ licenses: [LicenseDocument],
                             today: String) -> Entitlements {
        Entitlements.evaluate(generation: generation,
                              products: ProductStatus.summarize(licenses, on: Fixture.day(today)),
                              today: Fixture.day(today), empNotificationsEnabled: true)
    }

    /// "The subscription expired on 01.08.2022": WE maintenance ended that day.
    static let expiredMaintenance = entitlements(
        .os11, [Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01")], today: "2022-09-15")

    @Test func sourceExampleReleaseBeforeExpiryIsAllowed() {
        let answer = UpdateRule.decide(Self.expiredMaintenance, kind: .os, releaseDate: Fixture.day("2022-03-29"))
        #expect(answer.allowed)
        #expect(answer.feature == "update-firmware-locally")
        #expect(answer.reason.contains("2022-08-01"))
    }

    @Test func sourceExampleReleaseAfterExpiryIsRefused() {
        let answer = UpdateRule.decide(Self.expiredMaintenance, kind: .os, releaseDate: Fixture.day("2022-08-19"))
        #expect(!answer.allowed)
        #expect(answer.reason.contains("released 2022-08-19"))
        #expect(answer.reason.contains("WE expired on 2022-08-01"))
    }

    @Test func releaseOnTheExpiryDayIsNotBefore() {
        #expect(!UpdateRule.decide(Self.expiredMaintenance, kind: .os, releaseDate: Fixture.day("2022-08-01")).allowed)
        #expect(UpdateRule.decide(Self.expiredMaintenance, kind: .os, releaseDate: Fixture.day("2022-07-31")).allowed)
    }

    @Test func activeMaintenanceAllowsAnyRelease() {
        let current = Self.entitlements(
            .os11, [Fixture.license("WE", .perpetual, starts: "2022-01-01", expires: "2023-01-01")], today: "2022-09-15")
        #expect(UpdateRule.decide(current, kind: .os, releaseDate: Fixture.day("2024-01-01")).allowed)
    }

    @Test func os11HasNoAppUpdates() {
        let answer = UpdateRule.decide(Self.expiredMaintenance, kind: .app, releaseDate: Fixture.day("2022-03-29"))
        #expect(!answer.allowed)
        #expect(answer.feature == nil)
        #expect(answer.reason == "IGEL OS 11 has no local app updates")
    }

    @Test(arguments: UpdateRule.Kind.allCases)
    func os12ExpiredPASRefusesEveryLocalUpdate(kind: UpdateRule.Kind) {
        let expired = Self.entitlements(
            .os12, [Fixture.license("PAS", starts: "2021-08-02", expires: "2022-08-01")], today: "2022-09-15")
        let answer = UpdateRule.decide(expired, kind: kind, releaseDate: Fixture.day("2022-03-29"))
        #expect(!answer.allowed)
        #expect(answer.reason.contains("PAS expired on 2022-08-01"))
        let active = Self.entitlements(
            .os12, [Fixture.license("PAS", starts: "2022-08-02", expires: "2023-08-01")], today: "2022-09-15")
        #expect(UpdateRule.decide(active, kind: kind, releaseDate: Fixture.day("2022-09-01")).allowed)
    }

    @Test func unlicensedDeviceMayNotUpdate() {
        let none = Self.entitlements(.os12, [], today: "2026-11-29")
        let answer = UpdateRule.decide(none, kind: .os, releaseDate: Fixture.day("2026-01-01"))
        #expect(!answer.allowed)
        #expect(answer.reason.contains("no PAS license"))
    }
}

/// `may-update --version`: the OS 11 → 12 upgrade needs active maintenance whatever the date,
/// and the refusals say what can be done (never "an older release" on OS 12).
@Suite struct GenerationUpgradeRuleTests {
    static func entitlements(_ generation: OSGeneration, _ licenses: [LicenseDocument]) -> Entitlements {
        EntitlementUpdateRuleTests.entitlements(generation, licenses, today: "2026-11-29")
    }

    static let os12Release = OSVersion("12.5.1")!

    @Test func upgradeWithActiveMaintenanceIsAllowed() {
        for license in [Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-01-01"),
                        Fixture.license("PAS", starts: "2026-01-01", expires: "2027-01-01")] {
            let answer = UpdateRule.decide(Self.entitlements(.os11, [license]), kind: .os,
                                           releaseDate: Fixture.day("2026-11-01"), targetVersion: Self.os12Release)
            #expect(answer.allowed, "\(license.product)")
            #expect(answer.reason.contains("upgrade to IGEL OS 12.5.1 with active maintenance"))
        }
    }

    /// Expired maintenance would allow firmware released before its end — but not IGEL OS 12.
    @Test func upgradeWithoutActiveMaintenanceIsRefusedWhateverTheDate() {
        let expired = Self.entitlements(.os11, [Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01")])
        let answer = UpdateRule.decide(expired, kind: .os, releaseDate: Fixture.day("2020-01-01"),
                                       targetVersion: Self.os12Release)
        #expect(!answer.allowed)
        #expect(answer.reason == "an upgrade from IGEL OS 11 to 12 needs active maintenance (an active WE or PAS): WE expired on 2022-08-01")
        #expect(answer.remedy?.contains("Renew the maintenance") == true)
        // The same release date to an OS 11 version is allowed.
        #expect(UpdateRule.decide(expired, kind: .os, releaseDate: Fixture.day("2020-01-01"),
                                  targetVersion: OSVersion("11.07.100")).allowed)
    }

    @Test func theDemoIsNoMaintenanceForTheUpgrade() {
        let demo = Self.entitlements(.os11, [Fixture.license("WE-E", .evaluation, starts: "2026-11-01", expires: "2027-01-29")])
        #expect(UpdateRule.decide(demo, kind: .os, releaseDate: Fixture.day("2026-11-01")).allowed)
        let upgrade = UpdateRule.decide(demo, kind: .os, releaseDate: Fixture.day("2026-11-01"), targetVersion: Self.os12Release)
        #expect(!upgrade.allowed)
        #expect(upgrade.reason.hasSuffix("no WE or PAS license"))
    }

    @Test func unknownGenerationChangesAreRefused() {
        let os12 = Self.entitlements(.os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-01-01")])
        let down = UpdateRule.decide(os12, kind: .os, releaseDate: Fixture.day("2026-01-01"), targetVersion: OSVersion("11.08.100"))
        #expect(!down.allowed)
        #expect(down.reason == "there is no local update from IGEL OS 12 to 11.08.100")
        #expect(UpdateRule.decide(os12, kind: .os, releaseDate: Fixture.day("2026-01-01"), targetVersion: OSVersion("12.6.0")).allowed)
    }

    @Test func remediesFitTheGeneration() {
        let os12Expired = Self.entitlements(.os12, [Fixture.license("PAS", starts: "2025-01-01", expires: "2026-01-01")])
        let refused = UpdateRule.decide(os12Expired, kind: .os, releaseDate: Fixture.day("2025-06-01"))
        #expect(!refused.allowed)
        #expect(refused.remedy == "Import a license that grants update-os-locally")
        #expect(refused.remedy?.contains("older") == false)
        let os11Expired = Self.entitlements(.os11, [Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01")])
        let late = UpdateRule.decide(os11Expired, kind: .os, releaseDate: Fixture.day("2022-08-19"))
        #expect(late.remedy == "Import a renewed license, or install a release published before 2022-08-01")
    }
}
