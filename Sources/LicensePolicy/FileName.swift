/// A file name as the kernel stores it: a byte string (CLI.md "File names, output and secrets").
///
/// Names are compared byte for byte, never Unicode-normalised: `Lizenz-é.lic` written in NFC
/// and in NFD are two different files, and removing one must never remove the other (Swift's
/// `String` equality would call them equal). A name need not be UTF-8 at all; it is shown
/// with escapes (`description`) and still works everywhere else.
public struct FileName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let bytes: [UInt8]

    public init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    public init(_ text: String) { bytes = Array(text.utf8) }

    public init(stringLiteral text: String) { self.init(text) }

    /// The name as text when it is valid UTF-8, else nil.
    public var utf8Text: String? { String(validating: bytes, as: UTF8.self) }

    /// The name for people: UTF-8 text with every control character and every byte that is
    /// not UTF-8 escaped (`\x1b`, `\xe9`), so that it can never forge terminal output.
    public var description: String { DisplayText.escaping(bytes) }

    public func hasSuffix(_ suffix: String) -> Bool { bytes.reversed().starts(with: suffix.utf8.reversed()) }

    public func hasPrefix(_ prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }

    /// Byte order, the order `ls` uses in the C locale.
    public static func < (a: FileName, b: FileName) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// Text made safe for a terminal (CLI.md "File names, output and secrets"): control characters
/// from file names, documents or server answers are shown as escapes, never sent raw.
public enum DisplayText {
    /// `text` with control characters (C0, DEL, C1) other than newline and tab escaped.
    public static func escaping(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) && scalar != "\n" && scalar != "\t" {
                output += hex(scalar.value)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Bytes shown as UTF-8 where they are valid, every other byte and every control
    /// character (newline and tab included: a name is one line) as `\xNN`; a backslash is
    /// doubled so that an escape can always be told from the bytes it stands for.
    public static func escaping(_ bytes: [UInt8]) -> String {
        var output = ""
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            guard length > 0 else {
                output += hex(UInt32(bytes[index]))
                index += 1
                continue
            }
            let scalarText = String(decoding: bytes[index..<(index + length)], as: UTF8.self)
            for scalar in scalarText.unicodeScalars {
                if isControl(scalar) {
                    output += hex(scalar.value)
                } else if scalar == "\\" {
                    output += "\\\\"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
            index += length
        }
        return output
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        if value <= 0xFF { return "\\x" + (digits.count < 2 ? "0" : "") + digits }
        return "\\u{" + digits + "}"
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0 when the byte
    /// there does not start one (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
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
