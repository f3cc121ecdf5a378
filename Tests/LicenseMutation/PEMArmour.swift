/// PEM for the mutation engine: the armour OpenSSL writes, a lenient reader for the base
/// licenses, and edits of the armour itself (the fast path reads one exact layout; OpenSSL
/// reads many — every difference must send a file to the full path, never change its answer).
public enum PEMArmour {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// True when `bytes` (after white space) starts a PEM block.
    public static func isPEM(_ bytes: [UInt8]) -> Bool {
        bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }.starts(with: Array("-----BEGIN".utf8))
    }

    /// The bytes inside the first block, white space ignored; nil when there is none.
    public static func decode(_ bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN") }),
              let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END") })
        else { return nil }
        var values: [UInt8] = []
        for character in lines[(begin + 1)..<end].joined().utf8 where character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { continue }
            values.append(UInt8(value))
        }
        var output: [UInt8] = []
        var accumulator = 0
        var bits = 0
        for value in values {
            accumulator = (accumulator << 6 | Int(value)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> bits))
            }
        }
        return output
    }

    /// Standard base64 of `bytes` in lines of `lineLength`, joined by `newline`.
    public static func base64Lines(_ bytes: [UInt8], lineLength: Int = 64, newline: String = "\n") -> String {
        var characters: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                characters.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 0x3F] : UInt8(ascii: "="))
            }
            index += 3
        }
        var lines: [String] = []
        var start = 0
        while start < characters.count {
            lines.append(String(decoding: characters[start..<min(start + lineLength, characters.count)], as: UTF8.self))
            start += lineLength
        }
        return lines.joined(separator: newline)
    }

    /// What `PEM_write_bio_CMS_stream` writes.
    public static func encode(_ der: [UInt8], label: String = "CMS") -> [UInt8] {
        Array("-----BEGIN \(label)-----\n\(base64Lines(der))\n-----END \(label)-----\n".utf8)
    }

    /// The same DER in a PEM armour that differs from OpenSSL's own in one respect, or with text
    /// around it (or not at all, one time in seventeen). Returns the bytes and what was done.
    public static func armour(_ der: [UInt8], using entropy: inout some MutationEntropy) -> ([UInt8], String) {
        let body = base64Lines(der)
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }
        switch entropy.below(17) {
        case 0: return (text("-----BEGIN CMS-----\r\n\(base64Lines(der, newline: "\r\n"))\r\n-----END CMS-----\r\n"), "PEM with CRLF")
        case 1: return (text("-----BEGIN CMS-----\n\(base64Lines(der, lineLength: 76))\n-----END CMS-----\n"), "PEM lines of 76")
        case 2: return (text("  \n-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n"), "PEM after white space")
        case 3: return (text("license for unit 00E0C51C5087\n-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n"), "PEM after text")
        case 4: return (text("-----BEGIN PKCS7-----\n\(body)\n-----END PKCS7-----\n"), "PEM label PKCS7")
        case 5: return (text("-----BEGIN CMS-----\n\(body)\n-----END CMS-----"), "PEM without final newline")
        case 6: return (text("-----BEGIN CMS-----\n\(body)\n-----END CMS-----\ntrailing words\n"), "PEM with trailing text")
        case 7: return (text("-----BEGIN CMS-----\nComment: x\n\n\(body)\n-----END CMS-----\n"), "PEM with a header")
        case 8: return (text("-----BEGIN CMS-----\n\(base64Lines(der, lineLength: 32))\n-----END CMS-----\n"), "PEM lines of 32")
        case 9: return (text("-----BEGIN CMS-----\n\(body) \n-----END CMS-----\n"), "PEM with a trailing space")
        case 10: return (text("-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n\n-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n"), "PEM block twice")
        case 11: return (text("Subject: License\r\nFrom: vendor\r\n\r\n") + encode(der) + text("-- \nsignature\n"), "PEM in a mail")
        case 12: return (text("0 licenses follow\n") + encode(der), "PEM after text that starts like DER")
        // OpenSSL reads a CERTIFICATE block as CMS: this file is the truncated first block's.
        case 13: return (encode(Array(der.prefix(der.count / 2)), label: "CERTIFICATE") + encode(der), "PEM after a CERTIFICATE block")
        case 14: return (text("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n") + encode(der), "PEM after a block of another label")
        case 15: return (text(String(repeating: "x", count: 254)) + encode(der), "PEM after 254 bytes of a line")
        default: return (encode(der), "PEM as OpenSSL writes it")
        }
    }
}
