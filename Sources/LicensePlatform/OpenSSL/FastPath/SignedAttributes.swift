/// The signed attributes of a license's SignerInfo (RFC 5652 §5.3, §11), when they are
/// exactly the plain set the fast path knows; nil otherwise.
///
/// Allowed, each with exactly one value, in any order:
/// - `contentType` — exactly once, and it must be `id-data`;
/// - `messageDigest` — exactly once, an OCTET STRING (compared with the content's hash by
///   `FastLicenseVerifier`);
/// - `signingTime` — at most once, a UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime
///   `YYYYMMDDHHMMSSZ` with plausible fields (the agent does not use it);
/// - `smimeCapabilities` — at most once, a well-formed SEQUENCE (the agent does not use it).
///
/// Nothing else: an attribute of any other type, a second value, or a second attribute of
/// the same type sends the file to the full path. `smimeCapabilities` is beyond the minimal
/// set because `openssl cms -sign` (the contract's signing command) and `CMSLicenseSigner`
/// always add it; OpenSSL's verification only signs over it, as the fast path does.
///
/// The fast path verifies the signature over these bytes as they are, with the `[0]` tag
/// replaced by SET (`0x31`); OpenSSL re-encodes the parsed attributes first. For strict DER
/// with single values of these types the two are the same bytes (the differential tests
/// check it).
struct SignedAttributes {
    /// The attributes as they appear in the file, `[0]` tag included.
    let range: Range<Int>
    /// The content octets of the messageDigest value.
    let messageDigest: Range<Int>

    static let contentType: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03]
    static let messageDigestType: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]
    static let signingTime: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]
    static let smimeCapabilities: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0F]

    init?(_ der: [UInt8], _ element: StrictDER.Element) {
        guard element.tag == StrictDER.contextConstructed0, var attributes = StrictDER(der).children(of: element)
        else { return nil }
        var seenContentType = false
        var seenSigningTime = false
        var seenCapabilities = false
        var digest: Range<Int>?
        while !attributes.isAtEnd {
            guard let attribute = attributes.next(StrictDER.sequence), var fields = attributes.children(of: attribute),
                  let type = fields.next(StrictDER.objectIdentifier),
                  let values = fields.next(StrictDER.set), fields.isAtEnd,
                  var valueReader = fields.children(of: values),
                  let value = valueReader.next(), valueReader.isAtEnd
            else { return nil }
            if fields.content(of: type, is: Self.contentType) {
                guard !seenContentType, value.tag == StrictDER.objectIdentifier,
                      fields.content(of: value, is: SignedDataLayout.idData)
                else { return nil }
                seenContentType = true
            } else if fields.content(of: type, is: Self.messageDigestType) {
                guard digest == nil, value.tag == StrictDER.octetString else { return nil }
                digest = value.content
            } else if fields.content(of: type, is: Self.signingTime) {
                guard !seenSigningTime, Self.isPlainTime(der, value) else { return nil }
                seenSigningTime = true
            } else if fields.content(of: type, is: Self.smimeCapabilities) {
                guard !seenCapabilities, value.tag == StrictDER.sequence, fields.isWellFormed(value) else { return nil }
                seenCapabilities = true
            } else {
                return nil
            }
        }
        guard seenContentType, let digest else { return nil }
        range = element.range
        messageDigest = digest
    }

    /// A UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime `YYYYMMDDHHMMSSZ` with month 1–12, day
    /// 1–31, hour < 24, minute and second < 60 (RFC 5280 §4.1.2.5 forms).
    private static func isPlainTime(_ der: [UInt8], _ value: StrictDER.Element) -> Bool {
        let digits: Int
        switch value.tag {
        case StrictDER.utcTime: digits = 12
        case StrictDER.generalizedTime: digits = 14
        default: return false
        }
        let text = der[value.content]
        guard text.count == digits + 1, text.last == UInt8(ascii: "Z"),
              text.dropLast().allSatisfy({ (0x30...0x39).contains($0) })
        else { return false }
        let fields = Array(text.dropFirst(digits - 10).prefix(10)).map { Int($0 - 0x30) }
        let month = fields[0] * 10 + fields[1], day = fields[2] * 10 + fields[3]
        let hour = fields[4] * 10 + fields[5], minute = fields[6] * 10 + fields[7], second = fields[8] * 10 + fields[9]
        return (1...12).contains(month) && (1...31).contains(day) && hour < 24 && minute < 60 && second < 60
    }
}
