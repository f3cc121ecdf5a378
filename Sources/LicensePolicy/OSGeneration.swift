/// The IGEL OS generation whose entitlement table applies (ENTITLEMENTS.md "Inputs").
public enum OSGeneration: Int, Sendable, Codable, CaseIterable {
    case os11 = 11
    case os12 = 12

    /// From `VERSION_ID` in os-release (`11.x…` → 11, `12.x…` → 12); the agent config's
    /// `os_generation=` wins when given. Nil when neither names a known generation.
    public static func resolve(osRelease: String?, configured: String?) -> OSGeneration? {
        if let configured, let number = Int(configured.trimmingASCIIWhitespace()) {
            return OSGeneration(rawValue: number)
        }
        guard let osRelease else { return nil }
        for line in osRelease.split(whereSeparator: \.isNewline) where line.hasPrefix("VERSION_ID=") {
            var value = line.dropFirst("VERSION_ID=".count).trimmingASCIIWhitespace()
            if value.hasPrefix("\"") || value.hasPrefix("'") { value = String(value.dropFirst().dropLast()) }
            let major = value.prefix { $0.isNumber }
            return Int(major).flatMap(OSGeneration.init(rawValue:))
        }
        return nil
    }
}
