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
}
