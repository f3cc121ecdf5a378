/// The one PEM block layout the fast path reads: exactly what `openssl cms -sign -outform PEM`
/// and `PEM_write_bio_CMS_stream` write (RFC 7468 "strict" form with the `CMS` label).
///
///     [text before, each of its lines ending in \n, none holding `-----BEGIN`]
///     -----BEGIN CMS-----\n
///     64 base64 characters\n        (every line but the last)
///     1 to 64 base64 characters\n   (the last, with its `=` padding)
///     -----END CMS-----             (end of file, or \n and any text after)
///
/// No headers, no carriage returns or white space inside the block, canonical base64
/// (padding only at the end, unused bits zero). Text before and after the block is skipped
/// as OpenSSL's PEM reader skips it (LICENSE-FORMAT.md "Envelope"): it looks for a begin
/// line line by line, so text without `-----BEGIN` that ends in a newline puts the block's
/// begin line first; it stops reading at the end line. A file that starts with `0` is not
/// read here: the full path tries such a file as DER first.
///
/// OpenSSL's reader is far more lenient (a begin line after a byte-order mark or in the middle
/// of a long line, other labels such as `PKCS7`, blocks of other labels first, longer lines,
/// headers, trailing white space): every such file is left to the full `CMS_verify` path,
/// which decodes it its own way. For the files accepted here, both decoders give the same bytes.
enum StrictPEM {
    private static let beginMarker = Array("-----BEGIN".utf8)
    private static let begin = Array("-----BEGIN CMS-----\n".utf8)
    private static let end = Array("-----END CMS-----".utf8)
    private static let newline = UInt8(ascii: "\n")
    private static let lineLength = 64

    /// The DER bytes of the block of a file laid out exactly as above; nil for anything else.
    static func decode(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.first != StrictDER.sequence, let blockStart = beginLine(in: bytes) else { return nil }
        var characters = [UInt8](repeating: 0, count: bytes.count - blockStart - begin.count)
        let written = bytes.withUnsafeBufferPointer { input in
            characters.withUnsafeMutableBufferPointer { output -> Int? in
                var written = 0
                var lineStart = blockStart + begin.count
                var lastLineSeen = false
                while lineStart < input.count {
                    var lineEnd = lineStart
                    while lineEnd < input.count, input[lineEnd] != newline { lineEnd += 1 }
                    let line = UnsafeBufferPointer(rebasing: input[lineStart..<lineEnd])
                    if line.elementsEqual(end) { return written > 0 ? written : nil }
                    // A body line: 64 characters, or fewer as the last one; always ends in \n.
                    guard lineEnd < input.count, !lastLineSeen, line.count >= 1, line.count <= lineLength else { return nil }
                    lastLineSeen = line.count < lineLength
                    (output.baseAddress! + written).update(from: line.baseAddress!, count: line.count)
                    written += line.count
                    lineStart = lineEnd + 1
                }
                return nil
            }
        }
        guard let written else { return nil }
        characters.removeSubrange(written...)
        return Base64.decodeCanonical(characters)
    }

    /// Where the begin line starts: at the start of the file, or after text whose last byte
    /// is a newline and which holds no `-----BEGIN` (so OpenSSL finds no other begin line first).
    private static func beginLine(in bytes: [UInt8]) -> Int? {
        if bytes.starts(with: begin) { return 0 }
        guard let found = ByteSearch.firstIndex(of: beginMarker, in: bytes), found > 0,
              bytes[found - 1] == newline, bytes[found...].starts(with: begin)
        else { return nil }
        return found
    }
}

/// Canonical base64 (RFC 4648 §4): the standard alphabet, a multiple of four characters,
/// at most two `=` only at the very end, and zero bits where the last group has spare ones.
enum Base64 {
    /// The value of each character, 0xFF for characters outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func decodeCanonical(_ characters: [UInt8]) -> [UInt8]? {
        let count = characters.count
        guard count > 0, count % 4 == 0 else { return nil }
        var padding = 0
        if characters[count - 1] == UInt8(ascii: "=") { padding = characters[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let outputCount = count / 4 * 3 - padding
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: count / 4 * 3) { buffer, initialized in
            values.withUnsafeBufferPointer { table in
                characters.withUnsafeBufferPointer { input in
                    var out = 0
                    var group = 0
                    while group < count {
                        // The last group holds the padding: `=` counts as 0 bits here, checked below.
                        let isLast = group + 4 == count
                        let a = table[Int(input[group])], b = table[Int(input[group + 1])]
                        let c = isLast && padding == 2 ? 0 : table[Int(input[group + 2])]
                        let d = isLast && padding >= 1 ? 0 : table[Int(input[group + 3])]
                        if a > 63 || b > 63 || c > 63 || d > 63 {
                            failed = true
                            return
                        }
                        let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        buffer[out] = UInt8(truncatingIfNeeded: value >> 16)
                        buffer[out + 1] = UInt8(truncatingIfNeeded: value >> 8)
                        buffer[out + 2] = UInt8(truncatingIfNeeded: value)
                        // The spare bits of a padded group must be zero (one text per byte string).
                        if isLast, (padding == 1 && value & 0xFF != 0) || (padding == 2 && value & 0xFFFF != 0) {
                            failed = true
                            return
                        }
                        out += 3
                        group += 4
                    }
                }
            }
            initialized = failed ? 0 : outputCount
        }
        return failed ? nil : output
    }
}
