import FoundationEssentials
import LicensePolicy

/// The one JSON encoder of the agent: keys sorted (stable output for scripts and diffs),
/// no escaped slashes.
///
/// A type that writes itself (`JSONWritable`: the status document, the published answer and
/// the agent state, written at every boot) is written by hand when compact, with the same
/// bytes; everything else, and pretty output, goes through `JSONEncoder`.
public enum JSONOutput {
    public static func encode<Value: Encodable>(_ value: Value, pretty: Bool = false) -> [UInt8] {
        encodeWithFoundation(value, pretty: pretty)
    }

    public static func encode<Value: JSONWritable>(_ value: Value, pretty: Bool = false) -> [UInt8] {
        guard !pretty else { return encodeWithFoundation(value, pretty: true) }
        var json = JSONWriter()
        value.write(to: &json)
        return json.bytes
    }

    public static func string<Value: Encodable>(_ value: Value, pretty: Bool = false) -> String {
        String(decoding: encode(value, pretty: pretty), as: UTF8.self)
    }

    public static func string<Value: JSONWritable>(_ value: Value, pretty: Bool = false) -> String {
        String(decoding: encode(value, pretty: pretty), as: UTF8.self)
    }

    /// Through `JSONEncoder`, whatever the type: the reference the hand-written types are held to.
    static func encodeWithFoundation<Value: Encodable>(_ value: Value, pretty: Bool) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding the agent's own value types cannot fail: they hold strings, numbers and bools.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
