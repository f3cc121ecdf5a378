import LicensePolicy
import Testing

/// ENTITLEMENTS.md "Renewals": a not-yet-valid license of the same product whose `starts` is no
/// later than the day after the running license's `expires` continues it; one that leaves a gap
/// does not. And the fact `deploy` asks the UMS on (DELIVERY.md steps 2 and 3).
@Suite struct RenewalTests {
    static let today = "2026-11-29"
    /// EMP-R9HXH: 11 days left today.
    static let running = Fixture.license("EMP", starts: "2025-12-11", expires: "2026-12-10", id: "EMP-R9HXH")

    static func renewal(starts: String, expires: String, product: String = "EMP") -> LicenseDocument {
        Fixture.license(product, starts: starts, expires: expires, id: "\(product)-renewal-\(starts)")
    }

    // MARK: Continues or not, at the edge

    @Test func aRenewalStartingTheDayAfterContinues() {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2026-12-11", expires: "2027-12-10")], on: Self.today)
        #expect(status.state == .active)
        #expect(status.expires == Fixture.day("2026-12-10"), "the running license is still the one that decides")
        #expect(status.daysLeft == 11)
        #expect(status.continuedUntil == Fixture.day("2027-12-10"))
        #expect(status.runsUntil == Fixture.day("2027-12-10"))
        #expect(status.renewalAfterGap == nil)
        #expect(!status.needsRenewal)
    }

    @Test func aRenewalStartingTwoDaysAfterLeavesAGap() {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2026-12-12", expires: "2027-12-11")], on: Self.today)
        #expect(status.state == .expiring)
        #expect(status.continuedUntil == nil)
        #expect(status.renewalAfterGap == Fixture.day("2026-12-12"))
        #expect(status.needsRenewal)
    }

    /// Back-dated into the running term: it overlaps, so it continues.
    @Test func aRenewalStartingBeforeTheEndContinues() {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2026-12-01", expires: "2027-11-30")], on: Self.today)
        #expect(status.state == .active)
        #expect(status.continuedUntil == Fixture.day("2027-11-30"))
    }

    @Test func renewalsChain() {
        let first = Self.renewal(starts: "2026-12-11", expires: "2026-12-20")
        let second = Self.renewal(starts: "2026-12-21", expires: "2027-12-20")
        let status = Fixture.status([second, Self.running, first], on: Self.today)
        #expect(status.state == .active)
        #expect(status.continuedUntil == Fixture.day("2027-12-20"))
    }

    /// A chain is judged by its end: one that ends within 30 days is still `expiring`.
    @Test func aShortContinuationIsStillExpiring() throws {
        let short = Self.renewal(starts: "2026-12-11", expires: "2026-12-20")
        let status = Fixture.status([Self.running, short], on: Self.today)
        #expect(status.state == .expiring)
        #expect(status.continuedUntil == Fixture.day("2026-12-20"))
        #expect(status.needsRenewal)
        let warning = try #require(ExpiryWarnings.warning(for: status))
        #expect(warning.message.contains("expires on 2026-12-20 (21 days left)"), "\(warning.message)")
    }

    /// The 31st day before the end of the continued run is `active`, the 30th `expiring`.
    @Test(arguments: [("2026-11-20", ProductStatus.State.active), ("2026-11-21", .expiring)])
    func theThirtyDayWindowCountsToTheEndOfTheRun(today: String, state: ProductStatus.State) {
        let short = Self.renewal(starts: "2026-12-11", expires: "2026-12-21")
        #expect(Fixture.status([Self.running, short], on: today).state == state)
    }

    @Test func aRenewalInsideTheRunningTermExtendsNothing() {
        let inside = Self.renewal(starts: "2026-12-01", expires: "2026-12-05")
        let status = Fixture.status([Self.running, inside], on: Self.today)
        #expect(status.state == .expiring)
        #expect(status.continuedUntil == nil)
    }

    @Test func anotherProductDoesNotContinue() {
        let statuses = ProductStatus.summarize([Self.running, Self.renewal(starts: "2026-12-11", expires: "2027-12-10", product: "PAS")],
                                               on: Fixture.day(Self.today))
        #expect(statuses.first { $0.product == "EMP" }?.state == .expiring)
    }

    /// Expired with a renewal that starts later: expired until then, and the status says when.
    @Test func anExpiredProductNamesItsLaterRenewal() throws {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2026-12-20", expires: "2027-12-19")], on: "2026-12-15")
        #expect(status.state == .expired)
        #expect(status.renewalAfterGap == Fixture.day("2026-12-20"))
        #expect(status.needsRenewal)
        let warning = try #require(ExpiryWarnings.warning(for: status))
        #expect(warning.message.contains("The installed renewal starts on 2026-12-20"), "\(warning.message)")
    }

    // MARK: Warnings

    @Test func aContinuedProductGetsNoWarning() {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2026-12-11", expires: "2027-12-10")], on: "2026-12-10")
        #expect(status.state == .active)
        #expect(ExpiryWarnings.warning(for: status) == nil)
    }

    @Test func theGapWarningNamesTheGap() throws {
        let status = Fixture.status([Self.running, Self.renewal(starts: "2027-01-05", expires: "2028-01-04")], on: Self.today)
        let warning = try #require(ExpiryWarnings.warning(for: status))
        #expect(warning.code == .expiring)
        #expect(warning.message.contains("The installed renewal starts only on 2027-01-05"), "\(warning.message)")
        #expect(warning.message.contains("EMP stops from 2026-12-11 to 2027-01-04"), "\(warning.message)")
        #expect(warning.message.contains("starts by 2026-12-11"), "\(warning.message)")
    }

    @Test func aPerpetualGapIsAboutMaintenance() throws {
        let we = Fixture.license("WE", .perpetual, starts: "2025-12-11", expires: "2026-12-10")
        let later = Fixture.license("WE", .perpetual, starts: "2027-01-05", expires: "2028-01-04")
        let warning = try #require(ExpiryWarnings.warning(for: Fixture.status([we, later], on: Self.today)))
        #expect(warning.message.contains("maintenance lapses from 2026-12-11 to 2027-01-04"), "\(warning.message)")
    }

    // MARK: What deploy asks on

    static func entitlements(_ generation: OSGeneration, _ licenses: [LicenseDocument], on today: String = today) -> Entitlements {
        Entitlements.evaluate(generation: generation, products: ProductStatus.summarize(licenses, on: Fixture.day(today)),
                              today: Fixture.day(today), empNotificationsEnabled: true)
    }

    static let currentWE = Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2028-12-31")

    /// (what is installed, needs a license from the UMS)
    static let deployCases: [(String, OSGeneration, [LicenseDocument], Bool)] = [
        ("nothing", .os12, [], true),
        ("PAS with a year left", .os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-12-31")], false),
        ("PAS expiring", .os12, [Fixture.license("PAS", starts: "2025-12-11", expires: "2026-12-10")], true),
        ("PAS expiring, renewal continues", .os12,
         [Fixture.license("PAS", starts: "2025-12-11", expires: "2026-12-10"), renewal(starts: "2026-12-11", expires: "2027-12-10", product: "PAS")], false),
        ("PAS expiring, renewal after a gap", .os12,
         [Fixture.license("PAS", starts: "2025-12-11", expires: "2026-12-10"), renewal(starts: "2027-01-05", expires: "2027-12-10", product: "PAS")], true),
        ("PAS expired (frozen)", .os12, [Fixture.license("PAS", starts: "2025-10-01", expires: "2026-09-30")], true),
        ("OS 11: WE current, EMP expiring", .os11, [currentWE, running], true),
        ("OS 11: WE current, EMP continued", .os11, [currentWE, running, renewal(starts: "2026-12-11", expires: "2027-12-10")], false),
        ("OS 11: WE current, EMP expired", .os11, [currentWE, Fixture.license("EMP", starts: "2025-01-01", expires: "2026-01-01")], true),
        ("OS 11: WE current, no EMP", .os11, [currentWE], false),
        ("OS 11: WE maintenance ended, PAS current", .os11,
         [Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01"),
          Fixture.license("PAS", starts: "2026-01-01", expires: "2027-12-31")], false),
        ("OS 12: EMP is not watched", .os12,
         [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-12-31"), running], false),
    ]

    @Test(arguments: 0..<deployCases.count)
    func renewalNeeded(index: Int) {
        let (name, generation, licenses, needed) = Self.deployCases[index]
        #expect(Self.entitlements(generation, licenses).renewalNeeded == needed, "\(name)")
    }

    /// `baseLicenseCurrent` keeps its meaning and follows continuation too.
    @Test func baseLicenseCurrentFollowsAContinuingRenewal() {
        let expiring = Fixture.license("PAS", starts: "2025-12-11", expires: "2026-12-10")
        #expect(!Self.entitlements(.os12, [expiring]).baseLicenseCurrent)
        #expect(Self.entitlements(.os12, [expiring, Self.renewal(starts: "2026-12-11", expires: "2027-12-10", product: "PAS")])
            .baseLicenseCurrent)
        #expect(Self.entitlements(.os11, [Self.currentWE, Self.running]).baseLicenseCurrent,
                "the base license is current although the EMP runs out: renewalNeeded says so")
    }
}
