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
