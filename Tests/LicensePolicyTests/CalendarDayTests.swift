import LicensePolicy
import Testing

@Suite struct CalendarDayTests {
    @Test func parsesAndPrintsDays() throws {
        let day = try #require(CalendarDay(parsing: "2026-11-29"))
        #expect(day.description == "2026-11-29")
        #expect(CalendarDay(parsing: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDay(parsing: "2024-02-29") != nil)
        #expect(CalendarDay(parsing: "2026-02-29") == nil)
        #expect(CalendarDay(parsing: "2026-13-01") == nil)
        #expect(CalendarDay(parsing: "2026-1-01") == nil)
        #expect(CalendarDay(parsing: "2026-11-29T00:00:00Z") == nil)
    }

    @Test func roundTripsEveryDayOverFourCenturies() {
        for offset in stride(from: -30_000, through: 120_000, by: 7) {
            let day = CalendarDay(daysSinceEpoch: offset)
            #expect(CalendarDay(parsing: day.description) == day)
        }
    }

    @Test func daysBetween() throws {
        let expiry = try #require(CalendarDay(parsing: "2027-10-31"))
        let today = try #require(CalendarDay(parsing: "2026-11-29"))
        #expect(expiry - today == 336)
    }

    @Test func timestampsAreUTCOnly() throws {
        let stamp = try #require(Timestamp(rfc3339: "2026-11-01T08:00:00Z"))
        #expect(stamp.description == "2026-11-01T08:00:00Z")
        #expect(stamp.day.description == "2026-11-01")
        #expect(Timestamp(rfc3339: "2026-11-01T08:00:00.250Z") == stamp)
        #expect(Timestamp(rfc3339: "2026-11-01T08:00:00+01:00") == nil)
        #expect(Timestamp(rfc3339: "2026-11-01 08:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2026-11-01T25:00:00Z") == nil)
    }
}
