import LicensePolicy
import Testing

/// Expiry warnings: one a product, by state and model, and the EMP suppression switch.
@Suite struct EntitlementWarningsTests {
    static func warnings(_ licenses: [LicenseDocument], on today: String = "2026-11-29",
                         empNotifications: Bool = true) -> [Warning] {
        let products = ProductStatus.summarize(licenses, on: Fixture.day(today))
        return Entitlements.evaluate(generation: .os11, products: products, today: Fixture.day(today),
                                     empNotificationsEnabled: empNotifications).warnings
    }

    @Test func expiringTodayWarnsWithNoDaysLeft() throws {
        let list = Self.warnings([Fixture.license("EMP", starts: "2025-11-30", expires: "2026-11-29")])
        let warning = try #require(list.first)
        #expect(list.count == 1)
        #expect(warning.code == .expiring)
        #expect(warning.product == "EMP")
        #expect(warning.message.contains("expires today"))
    }

    @Test func expiringInTenDays() throws {
        let warning = try #require(Self.warnings([Fixture.license("PAS", starts: "2025-12-09", expires: "2026-12-09")]).first)
        #expect(warning.code == .expiring)
        #expect(warning.message.contains("2026-12-09 (10 days left)"))
    }

    @Test func activeWithMoreThanThirtyDaysGivesNoWarning() {
        #expect(Self.warnings([Fixture.license("PAS", starts: "2026-01-01", expires: "2026-12-30")]).isEmpty)
        #expect(Self.warnings([Fixture.license("PAS", starts: "2026-11-30", expires: "2027-11-29")]).isEmpty,
                "not-yet-valid gives none")
    }

    @Test(arguments: [LicenseDocument.Model.subscription, .evaluation])
    func expiredSubscriptionOrEvaluation(model: LicenseDocument.Model) throws {
        let warning = try #require(Self.warnings([Fixture.license("TER", model, starts: "2025-01-01", expires: "2026-11-28")]).first)
        #expect(warning.code == .expired)
        #expect(warning.product == "TER")
        // "Evaluations end": the warning says so, not "subscription expired".
        #expect(warning.message.contains(model == .evaluation ? "evaluation ended on 2026-11-28" : "subscription license expired on 2026-11-28"))
    }

    @Test func expiredPerpetualIsMaintenanceExpired() throws {
        let warning = try #require(Self.warnings([Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01")]).first)
        #expect(warning.code == .maintenanceExpired)
        #expect(warning.product == "WE")
        #expect(warning.message.contains("2022-08-01"))
    }

    @Test func oneWarningPerProductInProductOrder() {
        let list = Self.warnings([
            Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01"),
            Fixture.license("EMP", starts: "2025-01-01", expires: "2026-01-01"),
            Fixture.license("EMP", starts: "2024-01-01", expires: "2025-01-01"),
            Fixture.license("PWT", .perpetual, starts: "2026-01-01", expires: "2026-12-01"),
        ])
        #expect(list.map(\.code) == [.expired, .expiring, .maintenanceExpired])
        #expect(list.map(\.product) == ["EMP", "PWT", "WE"])
    }

    @Test func empWarningsAreSuppressedBySetting() {
        let licenses = [
            Fixture.license("EMP", starts: "2025-12-01", expires: "2026-12-01"),
            Fixture.license("TER", starts: "2025-01-01", expires: "2026-01-01"),
        ]
        #expect(Self.warnings(licenses).compactMap(\.product) == ["EMP", "TER"])
        #expect(Self.warnings(licenses, empNotifications: false).compactMap(\.product) == ["TER"])
        let expiredEMP = [Fixture.license("EMP", starts: "2025-01-01", expires: "2026-01-01")]
        #expect(Self.warnings(expiredEMP, empNotifications: false).isEmpty)
        #expect(Self.warnings(expiredEMP, empNotifications: true).map(\.code) == [.expired])
    }
}
