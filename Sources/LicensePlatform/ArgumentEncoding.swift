/// A lossless spelling of command-line arguments as `String`s, so that every value the parser
/// hands back is exactly the bytes of the argument it came from (CLI.md "File names, output
/// and secrets": names are bytes).
///
/// Swift's own decoding of `argv` replaces what is not UTF-8 with U+FFFD: two different names
/// then read the same, and a parsed value could only be matched back to an `argv` entry by
/// comparing decodings — which picks the wrong entry whenever two arguments decode alike. Here
/// each argument keeps its bytes in the string itself, wherever the parser moves it:
///
/// - a well-formed UTF-8 character is itself;
/// - every other byte (all of them are 0x80 or above: ASCII is always well-formed) becomes
///   one escape scalar, U+10FF00 plus the byte, in U+10FF80…U+10FFFF;
/// - a well-formed character that is itself in that range is spelled as its bytes, escaped
///   one by one, so an escape scalar in the string always stands for one byte.
///
/// Decoding maps each escape scalar to its byte and every other scalar to its UTF-8, which
/// gives back exactly the bytes encoded. ASCII is never escaped, so the parser still finds
/// `--root=`, `--`, option names and subcommand names where they were, and any value it
/// splits off at an ASCII character decodes to the bytes of that part.
public enum ArgumentEncoding {
    /// The first escape scalar, for the byte 0x80.
    private static let escapeBase: UInt32 = 0x10_FF00
    private static let escapes: ClosedRange<UInt32> = (escapeBase + 0x80)...(escapeBase + 0xFF)

    /// `bytes` as a string that `bytes(of:)` turns back into them.
    public static func string<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        // Almost every argument is UTF-8 without a 4-byte character from the last plane.
        if !bytes.contains(0xF4), let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes.makeIterator()
        var rest = bytes[...]
        while true {
            switch parser.parseScalar(from: &input) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if escapes.contains(scalar.value) {
                    scalars.append(contentsOf: rest.prefix(encoded.count).map(escape))
                } else {
                    scalars.append(scalar)
                }
                rest = rest.dropFirst(encoded.count)
            case .error(let length):
                scalars.append(contentsOf: rest.prefix(length).map(escape))
                rest = rest.dropFirst(length)
            case .emptyInput:
                return String(scalars)
            }
        }
    }

    /// The bytes `text` stands for: each escape scalar its byte, every other scalar its UTF-8.
    public static func bytes(of text: some StringProtocol) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if escapes.contains(scalar.value) {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return bytes
    }

    /// `text` as Swift decodes the bytes it stands for (U+FFFD for what is not UTF-8): the
    /// words every message and every value that is not a path have always shown.
    public static func decoded(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: { escapes.contains($0.value) }) else { return String(text) }
        return String(decoding: bytes(of: text), as: UTF8.self)
    }

    private static func escape(_ byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(escapeBase + UInt32(byte))!
    }
}
