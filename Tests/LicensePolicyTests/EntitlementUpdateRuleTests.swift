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
