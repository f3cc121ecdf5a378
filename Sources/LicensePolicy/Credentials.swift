/// Keeps secrets out of messages, logs and the audit log (CLI.md "File names, output and
/// secrets"): the `user:password@` of any URL — a proxy, a download link — is shown as `***@`.
public enum Credentials {
    /// `text` with the user information of every `scheme://user[:password]@host` replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var output = ""
        var rest = Substring(text)
        while let separator = rest.firstRange(of: "://") {
            output += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            // The authority ends at the first `/`, `?`, `#` or white space; its user
            // information ends at its last `@`.
            let authorityEnd = rest.firstIndex { "/?#".contains($0) || $0.isWhitespace } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                output += "***"
                rest = rest[at...]
            }
        }
        return output + rest
    }
}
