import Foundation

/// Calendar days relative to the clock this test process sees, as `YYYY-MM-DD`.
///
/// A license that must stay current for a test is dated from today, not from a fixed year,
/// so the suite passes on any day it runs and under `scripts/test --days-ahead N` (the agent
/// the test starts inherits the same shifted clock). Tests that run the agent at an absolute
/// faked date keep absolute dates: there the whole story is fixed and consistent.
public enum TestDay {
    /// Today (UTC) moved by `days` and `years`.
    public static func fromToday(days: Int = 0, years: Int = 0, now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var moved = calendar.date(byAdding: .year, value: years, to: now)!
        moved = calendar.date(byAdding: .day, value: days, to: moved)!
        let parts = calendar.dateComponents([.year, .month, .day], from: moved)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The expiry of a license that no test outlives: ten years from today.
    public static var farFuture: String { fromToday(years: 10) }
}
