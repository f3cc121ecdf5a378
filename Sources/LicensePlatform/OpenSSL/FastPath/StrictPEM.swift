/// The one PEM layout the fast path reads: exactly what `openssl cms -sign -outform PEM` and
/// `PEM_write_bio_CMS_stream` write (RFC 7468 "strict" form with the `CMS` label).
///
///     -----BEGIN CMS-----\n
///     64 base64 characters\n        (every line but the last)
///     1 to 64 base64 characters\n   (the last, with its `=` padding)
///     -----END CMS-----[\n]
///
/// Nothing before or after, no headers, no carriage returns, no white space inside lines,
/// canonical base64 (padding only at the end, unused bits zero). OpenSSL's PEM reader is
/// far more lenient (text before the block, other labels such as `PKCS7`, longer lines,
/// trailing data): every such file is left to the full `CMS_verify` path, which decodes it
/// its own way. For the files accepted here, both decoders give the same bytes.
enum StrictPEM {
    private static let begin = Array("-----BEGIN CMS-----\n".utf8)
    private static let end = Array("-----END CMS-----".utf8)
    private static let lineLength = 64

    /// True when the file starts like a CMS PEM block (then only `decode` can read it here).
    static func looksLikePEM(_ bytes: [UInt8]) -> Bool { bytes.starts(with: begin) }

    /// The DER bytes of a file laid out exactly as above; nil for anything else.
    static func decode(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.starts(with: begin) else { return nil }
        var trailer = bytes.count
        if bytes.last == UInt8(ascii: "\n") { trailer -= 1 }
        let endStart = trailer - end.count
        guard endStart > begin.count, bytes[endStart..<trailer].elementsEqual(end),
              bytes[endStart - 1] == UInt8(ascii: "\n")
        else { return nil }
        // The base64 body: lines of exactly 64 characters, the last one shorter or equal.
        var characters = [UInt8](repeating: 0, count: endStart - begin.count)
        let written = bytes.withUnsafeBufferPointer { input in
            characters.withUnsafeMutableBufferPointer { output -> Int? in
                var written = 0
                var lineStart = begin.count
                while lineStart < endStart {
                    var lineEnd = lineStart
                    while input[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                    let length = lineEnd - lineStart
                    guard length >= 1, length <= lineLength, lineEnd + 1 == endStart || length == lineLength else { return nil }
                    (output.baseAddress! + written).update(from: input.baseAddress! + lineStart, count: length)
                    written += length
                    lineStart = lineEnd + 1
                }
                return written
            }
        }
        guard let written else { return nil }
        characters.removeSubrange(written...)
        return Base64.decodeCanonical(characters)
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
