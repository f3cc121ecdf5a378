/// The full IGEL OS version from `VERSION_ID` (`11.08.100`), compared numerically part by
/// part with a missing part read as 0 (ENTITLEMENTS.md "OS 11 versions"): `11.6` is
/// `11.06.0`, and `11.06.100` < `11.07` < `11.08.100`.
public struct OSVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The numeric parts, most significant first; never empty.
    public let parts: [Int]
    /// The version as written (`11.08.100`, `12.5.1`), without quotes.
    public let text: String

    /// Parses `11.08.100` (also quoted, as os-release writes it). Nil unless every part is
    /// a decimal number of at most six digits (no sign, no suffix such as `-rc1`).
    public init?(_ text: String) {
        var value = Substring(text.trimmingASCIIWhitespace())
        if let first = value.first, first == "\"" || first == "'", value.count >= 2, value.last == first {
            value = value.dropFirst().dropLast()
        }
        let pieces = value.split(separator: ".", omittingEmptySubsequences: false)
        var parts: [Int] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.count <= 6, piece.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let number = Int(piece) else { return nil }
            parts.append(number)
        }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
        self.text = String(value)
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
