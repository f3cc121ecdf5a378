/// The full IGEL OS version from `VERSION_ID` (`11.08.100`), compared numerically part by
/// part with a missing part read as 0 (ENTITLEMENTS.md "OS 11 versions"): `11.6` is
/// `11.06.0`, and `11.06.100` < `11.07` < `11.08.100`.
///
/// Release names carry a suffix after the numbers (`11.07.120.DER`, `11.07.120.rc4`,
/// `11.03.500.tp2` in the source): the version is the leading numeric parts, the suffix is
/// ignored in comparisons and kept in `text`, so a reason names the release as written.
public struct OSVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The numeric parts, most significant first; never empty.
    public let parts: [Int]
    /// The version as written (`11.08.100`, `12.5.1`, `11.07.120.rc4`), without quotes.
    public let text: String

    /// Parses `11.08.100` (also quoted, as os-release writes it), optionally followed by a
    /// release suffix: `.` or `-` and a word that starts with a letter (`.DER`, `.rc4`,
    /// `-rc1`). Nil when it does not start with a number, when a part has more than six
    /// digits, or when anything else follows (`11..1`, `11.`, `11 beta`, `11.08.100.5a`).
    public init?(_ text: String) {
        var value = Substring(text.trimmingASCIIWhitespace())
        if let first = value.first, first == "\"" || first == "'", value.count >= 2, value.last == first {
            value = value.dropFirst().dropLast()
        }
        guard let parts = Self.numericParts(value.utf8) else { return nil }
        self.parts = parts
        self.text = String(value)
    }

    /// The leading `N(.N)*` of `bytes`, provided what follows is empty or a release suffix.
    private static func numericParts(_ bytes: Substring.UTF8View) -> [Int]? {
        var parts: [Int] = []
        var rest = bytes[...]
        while true {
            let digits = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !digits.isEmpty, digits.count <= 6, let number = Int(Substring(digits)) else { return nil }
            parts.append(number)
            rest = rest.dropFirst(digits.count)
            guard let separator = rest.first else { return parts }
            let next = rest.dropFirst()
            if separator == UInt8(ascii: "."), let first = next.first, first >= 0x30 && first <= 0x39 {
                rest = next
                continue
            }
            return isReleaseSuffix(separator: separator, next) ? parts : nil
        }
    }

    /// `.DER`, `.rc4`, `-tp2`: a separator, then a letter, then letters, digits, `.`, `-`, `_`, `+` or `~`.
    private static func isReleaseSuffix(separator: UInt8, _ word: Substring.UTF8View.SubSequence) -> Bool {
        let isLetter: (UInt8) -> Bool = { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }
        let isWordByte: (UInt8) -> Bool = {
            isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || Array(".-_+~".utf8).contains($0)
        }
        guard separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-"),
              let first = word.first, isLetter(first) else { return false }
        return word.allSatisfy(isWordByte)
    }

    /// The first part: the OS generation number (11, 12).
    public var major: Int { parts[0] }

    /// The version cut to its first `count` parts (padded with zeros): `11.06.100` cut to 2
    /// is `11.06`, which is how "up to and including 11.06.x" compares.
    public func truncated(to count: Int) -> OSVersion {
        OSVersion(parts: (0..<max(1, count)).map { $0 < parts.count ? parts[$0] : 0 })
    }

    private init(parts: [Int]) {
        self.parts = parts
        text = parts.map(String.init).joined(separator: ".")
    }

    /// `VERSION_ID` of an os-release file, if it has a parseable one.
    public static func fromOSRelease(_ text: String) -> OSVersion? {
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("VERSION_ID=") {
            return OSVersion(String(line.dropFirst("VERSION_ID=".count)))
        }
        return nil
    }

    public static func < (a: OSVersion, b: OSVersion) -> Bool {
        for index in 0..<max(a.parts.count, b.parts.count) {
            let left = index < a.parts.count ? a.parts[index] : 0
            let right = index < b.parts.count ? b.parts[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    /// Equal when equal part by part with missing parts as 0 (`11.6` == `11.06.0`).
    public static func == (a: OSVersion, b: OSVersion) -> Bool { !(a < b) && !(b < a) }

    public func hash(into hasher: inout Hasher) {
        var trimmed = parts
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    public var description: String { text }
}

/// Which OS versions a feature or a setting exists on, from a table of the source
/// (ENTITLEMENTS.md "OS 11 versions"): `from` inclusive; `through` inclusive of every
/// version that starts with it (`through: 11.06` covers `11.06.x`). Nil bounds are open.
public struct VersionWindow: Sendable, Equatable, CustomStringConvertible {
    public let from: OSVersion?
    public let through: OSVersion?

    public init(from: String? = nil, through: String? = nil) {
        self.from = from.flatMap(OSVersion.init)
        self.through = through.flatMap(OSVersion.init)
    }

    public func contains(_ version: OSVersion) -> Bool {
        if let from, version < from { return false }
        if let through, through < version.truncated(to: through.parts.count) { return false }
        return true
    }

    /// `11.01.110 to 11.06.x`, `11.02.100 and higher`.
    public var description: String {
        switch (from, through) {
        case let (from?, through?): return "\(from) to \(through).x"
        case let (from?, nil): return "\(from) and higher"
        case let (nil, through?): return "up to \(through).x"
        case (nil, nil): return "every version"
        }
    }
}

/// What a device says about its OS version, as the version windows of its generation need it
/// (ENTITLEMENTS.md "OS 11 versions": "fail closed: never 'no limit'").
public enum OSVersionReading: Sendable, Equatable {
    /// `VERSION_ID` read, and of the device's generation: the windows apply.
    case read(OSVersion)
    /// No version of the device's generation can be read: `VERSION_ID` is missing, has no
    /// leading numbers, or names another generation (`os_generation=` overrides it). Every
    /// version-limited feature is denied. `detail` says what was found.
    case unreadable(detail: String)
    /// No version given at all (an in-process caller that asks about none): no window applies.
    case unstated

    /// The version, when one was read.
    public var version: OSVersion? {
        if case .read(let version) = self { return version }
        return nil
    }

    /// The reading of `VERSION_ID` in an os-release file (nil: no file) for a device of `generation`.
    public static func fromOSRelease(_ text: String?, generation: OSGeneration) -> OSVersionReading {
        guard let line = text?.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("VERSION_ID=") }) else {
            return .unreadable(detail: "os-release has no VERSION_ID")
        }
        let value = String(line.dropFirst("VERSION_ID=".count))
        guard let version = OSVersion(value) else {
            return .unreadable(detail: "VERSION_ID \(shown(value)) is not a version number")
        }
        guard version.major == generation.rawValue else {
            return .unreadable(detail: "VERSION_ID \(version) is not an IGEL OS \(generation.rawValue) version")
        }
        return .read(version)
    }

    /// The value as a reason can quote it: trimmed, without os-release's quotes, at most 40 characters.
    private static func shown(_ value: String) -> String {
        var text = Substring(value.trimmingASCIIWhitespace())
        if let first = text.first, first == "\"" || first == "'", text.count >= 2, text.last == first {
            text = text.dropFirst().dropLast()
        }
        return "\"" + (text.count > 40 ? text.prefix(40) + "…" : text) + "\""
    }
}
