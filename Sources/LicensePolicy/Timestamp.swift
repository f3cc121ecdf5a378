/// An instant in UTC with second precision, as the agent reasons about time.
///
/// Kept as whole seconds since the epoch: license documents carry RFC 3339 UTC stamps,
/// the trusted-time mark is persisted as one, and nothing in the rules needs finer grain.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// Parses an RFC 3339 UTC timestamp: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    /// Offsets other than `Z` are refused: the format says UTC, and a device must not guess.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let last = bytes.last, last == UInt8(ascii: "Z") || last == UInt8(ascii: "z"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let day = CalendarDay(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
              let hour = CalendarDay.number(bytes[11..<13]), hour < 24,
              let minute = CalendarDay.number(bytes[14..<16]), minute < 60,
              let second = CalendarDay.number(bytes[17..<19]), second < 61
        else { return nil }
        let rest = bytes[19..<(bytes.count - 1)]
        if !rest.isEmpty {
            // The fraction is checked, not computed: the rules need whole seconds only, and
            // any number of digits must parse without overflowing.
            guard rest.first == UInt8(ascii: "."), rest.count >= 2, rest.dropFirst().allSatisfy(CalendarDay.isDigit)
            else { return nil }
        }
        secondsSinceEpoch = Int64(day.daysSinceEpoch) * 86_400
            + Int64(hour * 3600 + minute * 60 + min(second, 59))
    }

    public init(day: CalendarDay) { secondsSinceEpoch = Int64(day.daysSinceEpoch) * 86_400 }

    public var day: CalendarDay { CalendarDay(containing: secondsSinceEpoch) }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String {
        let secondOfDay = Int(secondsSinceEpoch - Int64(day.daysSinceEpoch) * 86_400)
        return "\(day)T\(CalendarDay.pad(secondOfDay / 3600, 2)):"
            + "\(CalendarDay.pad(secondOfDay / 60 % 60, 2)):\(CalendarDay.pad(secondOfDay % 60, 2))Z"
    }
}
