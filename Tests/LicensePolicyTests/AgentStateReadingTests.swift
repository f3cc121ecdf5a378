import FoundationEssentials
import LicenseMutation
@testable import LicensePolicy
import Testing

/// `AgentState.decoding` reads `state.json` exactly as `JSONDecoder` does: for thousands of
/// texts from a fixed seed — states as the agent writes them, objects built from the state's
/// keys with values of every JSON type (and numbers, strings and duplicates where readers
/// differ), and byte mutations of both — it gives the decoder's state, byte for byte, or the
/// decoder's error, word for word; and the plain path answers for the agent's own texts.
@Suite struct AgentStateReadingTests {
    static let seed: UInt64 = 0x1CE0_2026_1205_0022
    static let cases = 6_000

    /// A state or an error, as bytes.
    static func outcome(_ decode: () throws -> AgentState) -> [UInt8] {
        do {
            let state = try decode()
            return Array("state \(state.schemaVersion) \(state.trustedTimeMark.debugDescription) \(state.unitId.debugDescription)".utf8)
        } catch {
            return Array("error \(String(describing: error))".utf8)
        }
    }

    static let written = [
        #"{"schemaVersion":1,"trustedTimeMark":"2026-12-05T18:32:27Z","unitId":"02FC00000001"}"#,
        #"{"schemaVersion":1}"#, ##"{"schemaVersion":1,"unitId":"#POCKET"}"##,
        #"{"schemaVersion":1,"trustedTimeMark":"2026-12-05T18:32:27Z"}"#,
    ]
    static let keys = ["schemaVersion", "trustedTimeMark", "unitId", "other", "schemaversion", "unit\\u0049d", "é"]
    static let values = [
        "1", "2", "0", "-1", "-0", "1.0", "1e0", "01", "123456789012345", "1234567890123456789012", "\"1\"",
        "\"2026-12-05T18:32:27Z\"", "\"02FC00000001\"", "\"\\u0041\"", "\"a\\/b\"", "\"caf\u{E9}\"", "\"\t\"", "\"\"",
        "null", "true", "false", "[]", "{}", "[1]", "{\"a\":null}",
    ]

    static func text(_ entropy: inout SeededEntropy) -> [UInt8] {
        var text: [UInt8]
        if entropy.chance(1, in: 3) {
            text = Array(entropy.pick(written).utf8)
        } else {
            let members = (0..<entropy.below(5)).map { _ in
                (entropy.chance(1, in: 8) ? " " : "") + "\"" + entropy.pick(keys) + "\":" + entropy.pick(values)
            }
            text = Array(("{" + members.joined(separator: ",") + (entropy.chance(1, in: 10) ? "\n" : "") + "}").utf8)
        }
        if entropy.chance(1, in: 3) {
            for _ in 0...entropy.below(3) where !text.isEmpty {
                let at = entropy.below(text.count)
                switch entropy.below(3) {
                case 0: text[at] ^= UInt8(1 << entropy.below(8))
                case 1: text.insert(contentsOf: Array(entropy.pick(values).utf8), at: at)
                default: text.removeSubrange(at..<min(text.count, at + 1 + entropy.below(4)))
                }
            }
        }
        return text
    }

    @Test func readsWhatTheDecoderReads() {
        var entropy = SeededEntropy(seed: Self.seed)
        var plain = 0, decoded = 0, refused = 0
        for _ in 0..<Self.cases {
            let text = Self.text(&entropy)
            let reference = Self.outcome { try JSONDecoder().decode(AgentState.self, from: Data(text)) }
            let read = Self.outcome { try AgentState.decoding(text) }
            #expect(read == reference, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            if read != reference { return }
            if String(validating: text, as: UTF8.self) != nil, let fields = PlainJSONReader.object(text),
               AgentState(plainFields: fields) != nil {
                plain += 1
            } else if reference.starts(with: Array("state".utf8)) {
                decoded += 1
            } else {
                refused += 1
            }
        }
        // Every way through is taken, or the test proves nothing.
        #expect(plain > Self.cases / 10, "the plain path read only \(plain) texts")
        #expect(decoded > Self.cases / 100, "the decoder read only \(decoded) texts after the plain path declined")
        #expect(refused > Self.cases / 10, "only \(refused) texts were refused")
    }

    @Test(arguments: written)
    func theAgentsOwnTextsTakeThePlainPath(text: String) throws {
        let fields = try #require(PlainJSONReader.object(Array(text.utf8)))
        #expect(AgentState(plainFields: fields) != nil)
    }
}
