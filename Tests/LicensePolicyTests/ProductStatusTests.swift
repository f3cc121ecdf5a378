import LicensePolicy
import Testing

/// Test fixtures shared by the entitlement suites: days and license documents.
enum Fixture {
    static func day(_ text: String) -> CalendarDay {
        guard let day = CalendarDay(parsing: text) else { fatalError("bad test date \(text)") }
        return day
    }

    static func license(_ product: String, _ model: LicenseDocument.Model = .subscription,
                        starts: String, expires: String, id: String? = nil) -> LicenseDocument {
        LicenseDocument(licenseId: id ?? "\(product)-\(starts)-\(expires)",
                        issued: Timestamp(day: day(starts)), product: product, model: model,
                        packId: "\(product)-PACK", starts: day(starts), expires: day(expires), units: [])
    }

    /// The status of one product as `summarize` gives it.
    static func status(_ licenses: [LicenseDocument], on today: String) -> ProductStatus {
        let statuses = ProductStatus.summarize(licenses, on: day(today))
        precondition(statuses.count == 1, "expected one product")
        return statuses[0]
    }
}

@Suite struct ProductStatusTests {
    @Test func expiresTodayIsExpiringWithZeroDaysLeft() {
        let status = Fixture.status([Fixture.license("EMP", starts: "2025-11-01", expires: "2026-10-31")],
                                    on: "2026-10-31")
        #expect(status.state == .expiring)
        #expect(status.daysLeft == 0)
        #expect(status.isActive)
    }

    @Test func expiredYesterdayIsExpired() {
        let status = Fixture.status([Fixture.license("EMP", starts: "2025-11-01", expires: "2026-10-31")],
                                    on: "2026-11-01")
        #expect(status.state == .expired)
        #expect(status.daysLeft == nil)
        #expect(!status.isActive)
        #expect(status.expires == Fixture.day("2026-10-31"))
    }

    @Test func startsTomorrowIsNotYetValid() {
        let status = Fixture.status([Fixture.license("PAS", starts: "2026-11-30", expires: "2027-11-29")],
                                    on: "2026-11-29")
        #expect(status.state == .notYetValid)
        #expect(status.daysLeft == nil)
        #expect(!status.isActive)
    }

    @Test func startsTodayIsActive() {
        let status = Fixture.status([Fixture.license("PAS", starts: "2026-11-29", expires: "2027-11-29")],
                                    on: "2026-11-29")
        #expect(status.state == .active)
        #expect(status.daysLeft == 365)
    }

    @Test(arguments: [(31, ProductStatus.State.active), (30, .expiring), (29, .expiring), (1, .expiring)])
    func thirtyDayWindow(daysLeft: Int, state: ProductStatus.State) {
        let today = Fixture.day("2026-11-29")
        let expires = today.adding(days: daysLeft)
        let license = LicenseDocument(licenseId: "x", issued: Timestamp(day: today), product: "EMP",
                                      model: .subscription, packId: "p", starts: today.adding(days: -300),
                                      expires: expires, units: [])
        let status = ProductStatus.summarize([license], on: today)[0]
        #expect(status.state == state)
        #expect(status.daysLeft == daysLeft)
    }

    @Test func overlappingRenewalLatestExpiryWins() {
        let old = Fixture.license("PAS", starts: "2025-12-01", expires: "2026-12-31")
        let renewal = Fixture.license("PAS", starts: "2026-12-20", expires: "2027-12-31")
        // Before the renewal starts, the old license decides (20 days left), continued by the renewal.
        let before = Fixture.status([old, renewal], on: "2026-12-11")
        #expect(before.state == .active)
        #expect(before.expires == Fixture.day("2026-12-31"))
        #expect(before.daysLeft == 20)
        #expect(before.continuedUntil == Fixture.day("2027-12-31"))
        // From the renewal's start day both are active: the latest expiry wins.
        let onStart = Fixture.status([renewal, old], on: "2026-12-20")
        #expect(onStart.state == .active)
        #expect(onStart.expires == Fixture.day("2027-12-31"))
        #expect(onStart.daysLeft == 376)
        // After the old one ends, the renewal alone carries on.
        #expect(Fixture.status([old, renewal], on: "2027-01-01").expires == Fixture.day("2027-12-31"))
    }

    @Test func notYetValidRenewalTakesOverOnItsStartDay() {
        let old = Fixture.license("EMP", starts: "2025-11-01", expires: "2026-10-31")
        let renewal = Fixture.license("EMP", starts: "2026-11-15", expires: "2027-11-14")
        // In the gap the product is expired: the device cannot use it today.
        let gap = Fixture.status([old, renewal], on: "2026-11-14")
        #expect(gap.state == .expired)
        #expect(gap.expires == Fixture.day("2026-10-31"))
        let startDay = Fixture.status([old, renewal], on: "2026-11-15")
        #expect(startDay.state == .active)
        #expect(startDay.starts == Fixture.day("2026-11-15"))
        #expect(startDay.expires == Fixture.day("2027-11-14"))
    }

    @Test func renewalStartingTheDayAfterExpiryLeavesNoGap() {
        let old = Fixture.license("PAS", starts: "2025-11-01", expires: "2026-10-31")
        let renewal = Fixture.license("PAS", starts: "2026-11-01", expires: "2027-10-31")
        #expect(Fixture.status([old, renewal], on: "2026-10-31").expires == Fixture.day("2026-10-31"))
        #expect(Fixture.status([old, renewal], on: "2026-10-31").state == .active, "continued: ENTITLEMENTS.md \"Renewals\"")
        #expect(Fixture.status([old, renewal], on: "2026-10-31").continuedUntil == Fixture.day("2027-10-31"))
        #expect(Fixture.status([old, renewal], on: "2026-11-01").state == .active)
        #expect(Fixture.status([old, renewal], on: "2026-11-01").expires == Fixture.day("2027-10-31"))
    }

    @Test func latestExpiredDecidesAmongExpired() {
        let older = Fixture.license("WE", .perpetual, starts: "2020-01-01", expires: "2021-01-01")
        let newer = Fixture.license("WE", .perpetual, starts: "2021-01-01", expires: "2022-08-01")
        let status = Fixture.status([newer, older], on: "2022-09-01")
        #expect(status.state == .expired)
        #expect(status.expires == Fixture.day("2022-08-01"))
        #expect(status.model == .perpetual)
    }

    @Test func onlyFutureLicensesReportTheEarliestStart() {
        let later = Fixture.license("PAS", starts: "2027-06-01", expires: "2028-05-31")
        let sooner = Fixture.license("PAS", starts: "2027-01-01", expires: "2027-12-31")
        let status = Fixture.status([later, sooner], on: "2026-11-29")
        #expect(status.state == .notYetValid)
        #expect(status.starts == Fixture.day("2027-01-01"))
    }

    @Test func deciderModelIsReported() {
        let evaluation = Fixture.license("PAS", .evaluation, starts: "2026-11-01", expires: "2027-01-29")
        let subscription = Fixture.license("PAS", .subscription, starts: "2026-11-20", expires: "2027-11-19")
        #expect(Fixture.status([evaluation, subscription], on: "2026-11-29").model == .subscription)
        #expect(Fixture.status([evaluation], on: "2026-11-29").model == .evaluation)
    }

    @Test func oneStatusPerProductSortedByCode() {
        let statuses = ProductStatus.summarize([
            Fixture.license("WE", .perpetual, starts: "2025-01-01", expires: "2027-01-01"),
            Fixture.license("EMP", starts: "2025-01-01", expires: "2026-01-01"),
            Fixture.license("90M", .perpetual, starts: "2027-01-01", expires: "2028-01-01"),
            Fixture.license("EMP", starts: "2026-01-01", expires: "2026-12-01"),
        ], on: Fixture.day("2026-11-29"))
        #expect(statuses.map(\.product) == ["90M", "EMP", "WE"])
        #expect(statuses.map(\.state) == [.notYetValid, .expiring, .active])
        #expect(statuses[1].daysLeft == 2)
        #expect(ProductStatus.summarize([], on: Fixture.day("2026-11-29")).isEmpty)
    }
}
