/// URL text the agent needs beside libcurl's parser (`CurlURL`): the scheme, the note for
/// transports without encryption, and percent-encoding for a path segment. Credentials in a
/// URL are hidden by `Credentials.redacted`.
public enum URLText {
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
