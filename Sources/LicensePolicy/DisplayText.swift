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
    /// The standard library's decoder judges it, so the escapes agree with what `String`
    /// accepts as UTF-8.
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes[index...].prefix(4).makeIterator()
        guard case .valid(let sequence) = parser.parseScalar(from: &input) else { return 0 }
        return sequence.count
    }
}
