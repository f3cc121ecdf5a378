@testable import LicensePolicy
import Testing

/// `DisplayText` judges UTF-8 with the standard library's decoder; these tests prove that it
/// draws the line exactly where the hand-written RFC 3629 check it replaced did.
@Suite struct DisplayTextTests {
    /// Every lead byte with every second byte, and with third and fourth bytes on both sides
    /// of each edge of the continuation range (the only thing either check asks of them),
    /// each sequence also cut short after one, two and three bytes.
    @Test func sequenceLengthsAgreeWithTheRFC3629Check() {
        let laterBytes: [UInt8] = [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF]
        var disagreements: [[UInt8]] = []
        var sequence: [UInt8] = [0, 0, 0, 0]
        for lead in UInt8.min...UInt8.max {
            sequence[0] = lead
            if DisplayText.validSequenceLength([lead], at: 0) != Self.referenceLength([lead], at: 0) {
                disagreements.append([lead])
            }
            for second in UInt8.min...UInt8.max {
                sequence[1] = second
                for third in laterBytes {
                    sequence[2] = third
                    for fourth in laterBytes {
                        sequence[3] = fourth
                        for count in 2...4 where count == 4 || fourth == laterBytes[0] {
                            let bytes = Array(sequence.prefix(count))
                            if DisplayText.validSequenceLength(bytes, at: 0) != Self.referenceLength(bytes, at: 0) {
                                disagreements.append(bytes)
                            }
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
    }

    /// A sequence is judged where it starts, whatever comes before it.
    @Test func sequenceLengthsAreReadFromTheIndex() {
        let bytes: [UInt8] = [0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0x80, 0x41]
        for index in bytes.indices {
            #expect(DisplayText.validSequenceLength(bytes, at: index) == Self.referenceLength(bytes, at: index),
                    "at \(index)")
        }
    }

    @Test func bytesThatAreNotUTF8AreEscapedOneByOne() {
        #expect(DisplayText.escaping([0x4C, 0xC3, 0xA9, 0x2E, 0x6C, 0x69, 0x63]) == "Lé.lic")
        #expect(DisplayText.escaping([0xE0, 0xA0, 0x41]) == "\\xe0\\xa0A", "a truncated sequence, then ASCII")
        #expect(DisplayText.escaping([0xC0, 0xAF]) == "\\xc0\\xaf", "an overlong slash")
        #expect(DisplayText.escaping([0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80", "a surrogate")
        #expect(DisplayText.escaping([0x1B, 0x5B, 0x5C, 0x0A]) == "\\x1b[\\\\\\x0a")
        #expect(DisplayText.escaping([0xC2, 0x9B]) == "\\x9b", "a C1 control character")
    }

    /// The check `DisplayText` used before it asked the standard library (RFC 3629, table 3-7
    /// of the Unicode standard): the reference the tests above compare with.
    static func referenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return 0
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return 0 }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return 0 }
        return length
    }
}
