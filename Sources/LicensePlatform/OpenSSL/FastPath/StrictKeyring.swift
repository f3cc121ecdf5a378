/// The one keyring layout whose certificates are known to parse without asking OpenSSL:
/// what `openssl x509` and `PEM_write_bio_X509` write, blocks one after the other.
///
///     -----BEGIN CERTIFICATE-----\n
///     64 base64 characters\n        (every line but the last)
///     1 to 64 base64 characters\n   (the last, with its `=` padding)
///     -----END CERTIFICATE-----\n
///     (the next block, or the end of the file)
///
/// Nothing before, between or after the blocks, no headers, no carriage returns, canonical
/// base64, and each block exactly one certificate `StrictCertificate` reads (so no trust
/// settings: a `TRUSTED CERTIFICATE` block is not of this layout).
///
/// `TrustAnchors` asks this first: when the whole keyring has this layout,
/// `PEM_read_bio_X509_AUX` reads every block and ends at the end of the file, so the keyring
/// is usable, and decoding its certificates (and their public keys, the expensive part) can
/// wait until a license's chain needs them. Any other keyring is read by OpenSSL at once, as
/// it always was, with OpenSSL's own verdict and reason.
enum StrictKeyring {
    private static let begin = Array("-----BEGIN CERTIFICATE-----\n".utf8)
    private static let end = Array("-----END CERTIFICATE-----".utf8)
    private static let newline = UInt8(ascii: "\n")
    private static let lineLength = 64

    /// The DER of each certificate of a keyring laid out exactly as above, in file order; nil
    /// for any other text, and for a text without a certificate.
    static func certificates(_ text: [UInt8]) -> [[UInt8]]? {
        var found: [[UInt8]] = []
        var position = 0
        while position < text.count {
            guard let (der, next) = block(in: text, at: position), StrictCertificate.isReadable(der) else { return nil }
            found.append(der)
            position = next
        }
        return found.isEmpty ? nil : found
    }

    /// The DER of the block that starts at `start`, and where the text after its end line
    /// starts; nil when no block of the layout starts there.
    private static func block(in text: [UInt8], at start: Int) -> ([UInt8], Int)? {
        guard text[start...].starts(with: begin) else { return nil }
        var characters: [UInt8] = []
        var lineStart = start + begin.count
        var lastLineSeen = false
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count, text[lineEnd] != newline { lineEnd += 1 }
            // Every line, the end line included, ends in \n.
            guard lineEnd < text.count else { return nil }
            let line = text[lineStart..<lineEnd]
            if line.elementsEqual(end) {
                guard !characters.isEmpty, let der = Base64.decodeCanonical(characters) else { return nil }
                return (der, lineEnd + 1)
            }
            guard !lastLineSeen, (1...lineLength).contains(line.count) else { return nil }
            lastLineSeen = line.count < lineLength
            characters.append(contentsOf: line)
            lineStart = lineEnd + 1
        }
        return nil
    }
}
