@testable import LicensePlatform
import Testing

/// The fast path's readers accept exactly one encoding of each thing: anything else goes to
/// OpenSSL's full path. Base64 against the RFC 4648 test vectors, DER lengths
/// against X.690 §10.1.
@Suite struct StrictEncodingTests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64DecodesTheRFC4648Vectors(plain: String, encoded: String) {
        #expect(Base64.decodeCanonical(Array(encoded.utf8)) == (plain.isEmpty ? nil : Array(plain.utf8)))
    }

    @Test(arguments: ["Zh==", "Zm9=", "Zg=", "Zg", "Z===", "Zg==Zg==", "Zm9v\n", "Zm 9v", "Zm9v====", "Zm-v", "=Zm9"])
    func base64RefusesEveryOtherSpelling(encoded: String) {
        #expect(Base64.decodeCanonical(Array(encoded.utf8)) == nil)
    }

    @Test func pemInOpenSSLsLayoutIsRead() {
        let der = Array(0..<200).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let body = Array(Self.base64(der))
        let lines = stride(from: 0, to: body.count, by: 64).map { String(body[$0..<min($0 + 64, body.count)]) }
        let pem = "-----BEGIN CMS-----\n" + lines.joined(separator: "\n") + "\n-----END CMS-----\n"
        #expect(StrictPEM.decode(Array(pem.utf8)) == der)
        #expect(StrictPEM.decode(Array(pem.dropLast().utf8)) == der, "without the final newline")
        for variant in [pem.replacingAll("\n", "\r\n"), " " + pem, String(pem.dropLast()) + "x", pem.replacingAll("CMS", "PKCS7"),
                        "-----BEGIN CMS-----\n" + lines.joined() + "\n-----END CMS-----\n",
                        "-----BEGIN CMS-----\n" + lines.joined(separator: "\n\n") + "\n-----END CMS-----\n"] {
            #expect(StrictPEM.decode(Array(variant.utf8)) == nil, "\(variant.prefix(40))")
        }
    }

    @Test func derLengthsMustBeMinimalAndDefinite() {
        func element(_ bytes: [UInt8]) -> StrictDER.Element? {
            var reader = StrictDER(bytes)
            return reader.next()
        }
        #expect(element([0x04, 0x01, 0xAA])?.content == 2..<3)
        #expect(element([0x04, 0x81, 0x80] + Array(repeating: 0, count: 0x80))?.content.count == 0x80)
        #expect(element([0x04, 0x81, 0x01, 0xAA]) == nil, "long form for a short length")
        #expect(element([0x04, 0x82, 0x00, 0x80] + Array(repeating: 0, count: 0x80)) == nil, "a leading zero length octet")
        #expect(element([0x30, 0x80, 0x00, 0x00]) == nil, "indefinite length")
        #expect(element([0x1F, 0x81, 0x00, 0x00]) == nil, "high tag number")
        #expect(element([0x04, 0x02, 0xAA]) == nil, "content past the end")
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var text = ""
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                text.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 0x3F] : "=")
            }
        }
        return text
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
