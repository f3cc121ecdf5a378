/// URLs as the agent shows them (CLI.md "File names, output and secrets"): credentials in a
/// URL (`user:password@`) are shown as `***` in messages, logs and the audit log, and the
/// plain transports get a note that they are not encrypted.
public enum URLText {
    /// `https://***@host/path` for `https://user:secret@host/path`; other URLs unchanged.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { (character: Character) in
            character == "/" || character == "?" || character == "#"
        }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(rest[at...])
    }

    /// The lower-case scheme of `url` (`https`), or nil when it has none.
    public static func scheme(of url: String) -> String? {
        guard let range = url.firstRange(of: "://"), range.lowerBound > url.startIndex else { return nil }
        return url[..<range.lowerBound].lowercased()
    }

    /// The note printed for a download over a transport without encryption (CLI.md `fetch`:
    /// "the signature, not the transport, makes a license trustworthy"); nil for the others.
    public static func transportNote(for url: String) -> String? {
        guard let scheme = scheme(of: url), scheme == "http" || scheme == "ftp" else { return nil }
        return "Note: \(scheme):// is not encrypted; the license's signature, which is verified before anything is installed, is what makes it trustworthy."
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters, for a path
    /// segment: a UD Pocket's unit ID `#8564…` becomes `%238564…`, not a fragment.
    public static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(digits[Int(byte >> 4)])
                encoded.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}
