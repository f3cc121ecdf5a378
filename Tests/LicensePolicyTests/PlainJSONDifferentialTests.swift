import FoundationEssentials
import LicenseMutation
@testable import LicensePolicy
import Testing

/// The document's plain JSON reader never reads anything differently from `JSONDecoder`
/// (the reader is a fast path of the document parser). Thousands of generated
/// texts — valid documents, their byte-level mutations, and JSON built from a grammar full of
/// the edges where readers differ (escapes, `\u`, control characters, numbers, literals,
/// duplicate and canonically equal keys, depth, whitespace that is not JSON's) — and for every
/// text the reader reads, the decoder must read the same value byte for byte. Deterministic:
/// the texts come from a fixed seed. The fuzz target `FuzzLicenseDocument` checks the same.
@Suite struct PlainJSONDifferentialTests {
    static let seed: UInt64 = 0x1CE0_2026_1130_0011
    static let cases = 20_000

    /// What JSONDecoder reads for `text` as the document parser asks it, if anything.
    static func decoded(_ text: [UInt8]) -> JSONValue? {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(text))).map(JSONValue.object)
    }

    @Test func readerNeverReadsWhatTheDecoderReadsDifferently() throws {
        var entropy = SeededEntropy(seed: Self.seed)
        var generator = JSONTextGenerator()
        var read = 0, declined = 0
        for index in 0..<Self.cases {
            let text = generator.text(index: index, &entropy)
            guard String(validating: text, as: UTF8.self) != nil else { continue }  // the parser's own gate
            guard let fields = PlainJSONReader.object(text) else {
                declined += 1
                continue
            }
            read += 1
            let decoded = Self.decoded(text)
            let agrees = decoded.map { JSONValue.object(fields).isIdentical(to: $0) } ?? false
            #expect(agrees, "the reader and JSONDecoder differ on \(String(decoding: text, as: UTF8.self).debugDescription)")
            if !agrees { return }
        }
        // Both sides of the reader are exercised, or the test proves nothing.
        #expect(read > Self.cases / 10, "the reader read only \(read) texts")
        #expect(declined > Self.cases / 10, "the reader declined only \(declined) texts")
    }

    /// The documents issuers write are read by the reader itself: otherwise the fast path
    /// would silently never run.
    @Test(arguments: [
        // JSONSerialization with sorted keys (the test suite's issuer), slashes escaped.
        ##"{"expires":"2035-12-31","format":1,"issued":"2026-01-01T08:00:00Z","licenseId":"A\/B","model":"subscription","packId":"PAS-1","product":"PAS","starts":"2026-01-01","units":["00:E0:C5:1C:50:87","#85641000D308482019"]}"##,
        // LICENSE-FORMAT.md's example, pretty-printed, with a null and a nested field.
        "{\n  \"format\": 1,\n  \"licenseId\": \"7f3c2a10-5b1e-4e8a-9c1d-2b6f0e4a9d11\",\n  \"issued\": \"2026-11-01T08:00:00Z\",\n  \"product\": \"EMP\",\n  \"model\": \"subscription\",\n  \"packId\": \"EMP-R9HXH\",\n  \"subscriptionKey\": null,\n  \"starts\": \"2026-11-01\",\n  \"expires\": \"2027-10-31\",\n  \"units\": [\"00:E0:C5:1C:50:87\"],\n  \"vendor\": {\"note\": \"Lizenz für Café\\tMüller\", \"seats\": [10, -3, true, false]}\r\n}\r\n",
    ])
    func issuersDocumentsTakeTheReader(text: String) throws {
        let fields = try #require(PlainJSONReader.object(Array(text.utf8)))
        let decoded = try #require(Self.decoded(Array(text.utf8)))
        #expect(JSONValue.object(fields).isIdentical(to: decoded))
        _ = try LicenseDocument.parse(Array(text.utf8))
    }

    /// Texts the reader must leave to the decoder: each is an edge where a small reader
    /// would most likely differ, whether or not the decoder accepts it.
    @Test(arguments: [
        #"{"a":"\u00e9"}"#, #"{"a":1.0}"#, #"{"a":1e2}"#, #"{"a":-0}"#, #"{"a":01}"#, #"{"a":1234567890123456}"#,
        #"{"a":1,"a":2}"#, "{\"\u{E9}\":1,\"e\u{301}\":2}", "{\"a\":\"\t\"}", #"{"a":"\x"}"#, #"{"a":tru}"#,
        #"{"a":[1,]}"#, #"{"a":1,}"#, "\u{FEFF}{}", "{}\u{0C}", "{\u{A0}}", #"[]"#, #"{"a":1} x"#, #"{"a":nul}"#,
        String(repeating: "{\"a\":[", count: 9) + String(repeating: "]}", count: 9),
    ])
    func edgesGoToTheDecoder(text: String) {
        #expect(PlainJSONReader.object(Array(text.utf8)) == nil)
    }
}

/// JSON-like texts for the differential test: valid documents, byte mutations of them, and
/// values from a grammar that favours the edges of JSON.
struct JSONTextGenerator {
    static let document = Array(#"{"expires":"2035-12-31","format":1,"issued":"2026-01-01T08:00:00Z","licenseId":"L-1","model":"subscription","packId":"PAS-1","product":"PAS","starts":"2026-01-01","units":["00:E0:C5:1C:50:87"]}"#.utf8)
    static let fragments: [String] = [
        "\"", "\\", "\\\"", "\\/", "\\n", "\\u0041", "\\u00e9", "\\ud83d\\ude00", "\\ud83d", "\\x", ",", ":", "{", "}",
        "[", "]", "0", "-", "1.5", "1e9", "-0", "00", "true", "false", "null", "nul", " ", "\t", "\n", "\r", "\u{0B}",
        "\u{0C}", "\u{A0}", "\u{FEFF}", "\u{00}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "😀", "9007199254740993",
    ]

    mutating func text<Entropy: MutationEntropy>(index: Int, _ entropy: inout Entropy) -> [UInt8] {
        switch index % 3 {
        case 0: return mutatedDocument(&entropy)
        case 1: return Array(("{" + members(depth: 0, &entropy) + "}").utf8)
        default: return Array(value(depth: 0, &entropy).utf8)
        }
    }

    /// A valid document with one to four edits: a byte flipped, a fragment inserted, bytes
    /// deleted, or the text cut short.
    private func mutatedDocument<Entropy: MutationEntropy>(_ entropy: inout Entropy) -> [UInt8] {
        var text = Self.document
        for _ in 0...entropy.below(4) where !text.isEmpty {
            let at = entropy.below(text.count)
            switch entropy.below(4) {
            case 0: text[at] ^= UInt8(1 << entropy.below(8))
            case 1: text.insert(contentsOf: Array(entropy.pick(Self.fragments).utf8), at: at)
            case 2: text.removeSubrange(at..<min(text.count, at + 1 + entropy.below(3)))
            default: text.removeSubrange(at...)
            }
        }
        return text
    }

    private func members<Entropy: MutationEntropy>(depth: Int, _ entropy: inout Entropy) -> String {
        let keys = ["a", "b", "format", "units", "é", "e\u{301}", "", "\\u0061", "a\\/b"]
        return (0..<entropy.below(5)).map { _ in
            whitespace(&entropy) + "\"" + entropy.pick(keys) + "\"" + whitespace(&entropy) + ":"
                + whitespace(&entropy) + value(depth: depth + 1, &entropy) + whitespace(&entropy)
        }.joined(separator: entropy.chance(1, in: 40) ? ",," : ",") + (entropy.chance(1, in: 40) ? "," : "")
    }

    private func value<Entropy: MutationEntropy>(depth: Int, _ entropy: inout Entropy) -> String {
        let scalarOnly = depth > 18
        switch scalarOnly ? entropy.below(4) : entropy.below(6) {
        case 0: return "\"" + (0..<entropy.below(4)).map { _ in stringPiece(&entropy) }.joined() + "\""
        case 1: return number(&entropy)
        case 2: return entropy.pick(["true", "false", "null", "True", "nul", "truex", "null1"])
        case 3: return entropy.pick(Self.fragments)
        case 4: return "[" + (0..<entropy.below(4)).map { _ in whitespace(&entropy) + value(depth: depth + 1, &entropy) }
            .joined(separator: ",") + whitespace(&entropy) + "]"
        default: return "{" + members(depth: depth, &entropy) + "}"
        }
    }

    private func stringPiece<Entropy: MutationEntropy>(_ entropy: inout Entropy) -> String {
        entropy.chance(1, in: 2) ? entropy.pick(["L-1", "PAS", "00:E0:C5:1C:50:87", "2026-01-01", " x "])
            : entropy.pick(Self.fragments.filter { $0 != "\"" } + ["\\b", "\\f", "\\r", "\\t", "\\\\"])
    }

    private func number<Entropy: MutationEntropy>(_ entropy: inout Entropy) -> String {
        let count = entropy.chance(1, in: 3) ? 1 : 1 + entropy.below(17)  // single digits hold `0` and `-0`
        let digits = String((0..<count).map { _ in Character(String(entropy.below(10))) })
        let sign = entropy.chance(1, in: 4) ? "-" : ""
        let tail = entropy.pick(["", "", "", ".0", ".5", "e1", "E-2", ".", "e"])
        return sign + digits + tail
    }

    private func whitespace<Entropy: MutationEntropy>(_ entropy: inout Entropy) -> String {
        entropy.chance(3, in: 4) ? "" : entropy.pick([" ", "  ", "\n", "\t", "\r\n", "\u{0C}", "\u{A0}"])
    }
}
