import LicensePlatform
import Testing

/// The lossless spelling of arguments: every byte string comes back as itself, well-formed
/// UTF-8 reads as itself, and the decoded text is what Swift's own decoding of `argv` gives.
@Suite struct ArgumentEncodingTests {
    /// Byte strings around the edges: ASCII, well-formed characters of every length, the
    /// escape range itself, truncated and overlong sequences, surrogates, stray continuations.
    static let samples: [[UInt8]] = [
        [], Array("--root=/license".utf8), Array("café ☕ 𝄞".utf8), [0xE9], [0xFF, 0xFE],
        [0xE2, 0x82], [0xE2, 0x82, 0x41], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80, 0xBF],
        [0xF4, 0x8F, 0xBE, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x8F, 0xBE], [0xF4, 0x90, 0x80, 0x80],
        Array("dev\u{FFFD}".utf8), [0x64, 0x65, 0x76, 0xE9], [0xEF, 0xBF, 0xBD, 0xE9, 0xF4, 0x8F, 0xBE, 0x80, 0x3D],
    ]

    @Test(arguments: samples) func bytesComeBackAsThemselves(bytes: [UInt8]) {
        let text = ArgumentEncoding.string(bytes)
        #expect(ArgumentEncoding.bytes(of: text) == bytes)
        #expect(ArgumentEncoding.decoded(text) == String(decoding: bytes, as: UTF8.self))
    }

    @Test func wellFormedTextOutsideTheEscapesIsItself() {
        for text in ["status", "--root=/tmp/dev\u{FFFD}", "café", "\u{10FF7F}"] {
            #expect(ArgumentEncoding.string(Array(text.utf8)) == text)
        }
        // A character of the escape range is spelled by its bytes, so it cannot pass for one byte.
        #expect(ArgumentEncoding.string([0xF4, 0x8F, 0xBE, 0x80]).unicodeScalars.count == 4)
    }

    /// Different bytes never spell the same scalars. (Not `String` equality, which is
    /// canonical equivalence: U+0340 and U+0300 are equal strings of different bytes — the
    /// parser keeps a value's scalars as they were given, and they are what is decoded.)
    @Test func differentBytesSpellDifferentStrings() {
        var seen: [[UInt32]: [UInt8]] = [:]
        for first in UInt8(0x70)...0xFF {
            for second in [UInt8(0x41), 0x80, 0xBF, 0xC3, 0xE9, 0xF4] {
                let bytes = [first, second]
                let text = ArgumentEncoding.string(bytes)
                let scalars = text.unicodeScalars.map(\.value)
                #expect(seen[scalars] == nil, "\(bytes) and \(seen[scalars] ?? [])")
                seen[scalars] = bytes
                #expect(ArgumentEncoding.bytes(of: text) == bytes)
            }
        }
    }

    /// A value the parser splits off at an ASCII character (`--root=VALUE`) is the bytes of that part.
    @Test func aPartSplitAtASCIIIsItsBytes() {
        let text = ArgumentEncoding.string(Array("--root=".utf8) + [0xE9, 0x2F, 0xFF])
        let value = text.split(separator: "=", maxSplits: 1)[1]
        #expect(ArgumentEncoding.bytes(of: value) == [0xE9, 0x2F, 0xFF])
    }
}
