import FoundationEssentials
import LicensePolicy

/// The one JSON encoder of the agent: keys sorted (stable output for scripts and diffs),
/// no escaped slashes.
public enum JSONOutput {
    public static func encode<Value: Encodable>(_ value: Value, pretty: Bool = false) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding the agent's own value types cannot fail: they hold strings, numbers and bools.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    public static func string<Value: Encodable>(_ value: Value, pretty: Bool = false) -> String {
        String(decoding: encode(value, pretty: pretty), as: UTF8.self)
    }
}
