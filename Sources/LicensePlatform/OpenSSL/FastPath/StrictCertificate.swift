/// A reader of one X.509 certificate's DER (RFC 5280 §4.1) that says only whether OpenSSL's
/// `d2i_X509` is sure to read it, without building anything.
///
/// `d2i_X509` in OpenSSL 3 also decodes the certificate's public key through the provider
/// decoder framework, whose first use in a process costs more than the rest of a boot's
/// keyring; the key is not needed until a chain is built. The keyring check (`StrictKeyring`)
/// uses this reader to learn that the keyring parses without parsing it with OpenSSL; the
/// certificates themselves are then decoded by OpenSSL when a chain first needs them.
///
/// It accepts a strict subset of what `d2i_X509` accepts, so it may only decline more often,
/// never accept what OpenSSL refuses (the key itself plays no part: OpenSSL keeps a
/// certificate whose key it cannot decode). Declined, among others: anything not strict DER
/// (`StrictDER`), issuer/subject unique IDs, empty names, name values other than
/// PrintableString, UTF8String and IA5String of printable ASCII, times that are not
/// `YYMMDDHHMMSSZ`/`YYYYMMDDHHMMSSZ` naming a real instant, negative serials, a version other
/// than 1 to 3, an explicit `critical` FALSE, bit strings with unused bits, parameters other
/// than absent, NULL, an OID or a SEQUENCE.
enum StrictCertificate {
    /// True when `der` is exactly one certificate laid out as above.
    static func isReadable(_ der: [UInt8]) -> Bool {
        var outer = StrictDER(der)
        guard let certificate = outer.next(StrictDER.sequence), outer.isAtEnd,
              var fields = outer.children(of: certificate),
              let tbs = fields.next(StrictDER.sequence), isReadableTBS(tbs, in: fields),
              let algorithm = fields.next(StrictDER.sequence), isAlgorithmIdentifier(algorithm, in: fields),
              let signature = fields.next(bitString), isBitString(signature, in: fields),
              fields.isAtEnd
        else { return false }
        return true
    }

    private static let bitString: UInt8 = 0x03
    private static let boolean: UInt8 = 0x01
    private static let printableString: UInt8 = 0x13
    private static let utf8String: UInt8 = 0x0C
    private static let ia5String: UInt8 = 0x16
    private static let extensionsTag: UInt8 = 0xA3

    /// version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions.
    private static func isReadableTBS(_ tbs: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var fields = parent.children(of: tbs) else { return false }
        if fields.nextTag == StrictDER.contextConstructed0 {
            guard let version = fields.next(), var inner = fields.children(of: version),
                  let number = inner.next(StrictDER.integer), inner.isAtEnd,
                  number.content.count == 1, fields.bytes[number.content.lowerBound] <= 2
            else { return false }
        }
        guard let serial = fields.next(StrictDER.integer), isPositiveInteger(serial, in: fields),
              let algorithm = fields.next(StrictDER.sequence), isAlgorithmIdentifier(algorithm, in: fields),
              let issuer = fields.next(StrictDER.sequence), isName(issuer, in: fields),
              let validity = fields.next(StrictDER.sequence), isValidity(validity, in: fields),
              let subject = fields.next(StrictDER.sequence), isName(subject, in: fields),
              let key = fields.next(StrictDER.sequence), isSubjectPublicKeyInfo(key, in: fields)
        else { return false }
        if fields.nextTag == extensionsTag {
            guard let wrapper = fields.next(), var inner = fields.children(of: wrapper),
                  let list = inner.next(StrictDER.sequence), inner.isAtEnd, isExtensions(list, in: inner)
            else { return false }
        }
        return fields.isAtEnd
    }

    /// A non-empty INTEGER in its minimal form, not negative.
    private static func isPositiveInteger(_ element: StrictDER.Element, in reader: StrictDER) -> Bool {
        let content = reader.bytes[element.content]
        guard let first = content.first, first < 0x80 else { return false }
        return !(first == 0 && content.count > 1 && reader.bytes[content.startIndex + 1] < 0x80)
    }

    /// An OBJECT IDENTIFIER's content as OpenSSL's `c2i_ASN1_OBJECT` accepts it: not empty,
    /// the last byte ends a sub-identifier, no sub-identifier starts with a padding 0x80.
    private static func isObjectIdentifier(_ element: StrictDER.Element, in reader: StrictDER) -> Bool {
        guard element.tag == StrictDER.objectIdentifier, let last = element.content.last,
              reader.bytes[last] < 0x80
        else { return false }
        var startsIdentifier = true
        for index in element.content {
            let byte = reader.bytes[index]
            if startsIdentifier && byte == 0x80 { return false }
            startsIdentifier = byte < 0x80
        }
        return true
    }

    /// SEQUENCE { OID, parameters } with parameters absent, NULL, an OID or a SEQUENCE.
    private static func isAlgorithmIdentifier(_ element: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var fields = parent.children(of: element), let algorithm = fields.next(),
              isObjectIdentifier(algorithm, in: fields)
        else { return false }
        if let parameters = fields.next() {
            switch parameters.tag {
            case StrictDER.null: guard parameters.content.isEmpty else { return false }
            case StrictDER.objectIdentifier: guard isObjectIdentifier(parameters, in: fields) else { return false }
            case StrictDER.sequence: guard fields.isWellFormed(parameters) else { return false }
            default: return false
            }
        }
        return fields.isAtEnd
    }

    /// A BIT STRING with no unused bits.
    private static func isBitString(_ element: StrictDER.Element, in reader: StrictDER) -> Bool {
        element.tag == bitString && !element.content.isEmpty && reader.bytes[element.content.lowerBound] == 0
    }

    /// SEQUENCE OF SET OF { OID, string }: at least one RDN, each with at least one attribute.
    private static func isName(_ element: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var relativeNames = parent.children(of: element), !relativeNames.isAtEnd else { return false }
        while !relativeNames.isAtEnd {
            guard let relativeName = relativeNames.next(StrictDER.set),
                  var attributes = relativeNames.children(of: relativeName), !attributes.isAtEnd
            else { return false }
            while !attributes.isAtEnd {
                guard let attribute = attributes.next(StrictDER.sequence),
                      var pair = attributes.children(of: attribute),
                      let type = pair.next(), isObjectIdentifier(type, in: pair),
                      let value = pair.next(), pair.isAtEnd, isPrintableText(value, in: pair)
                else { return false }
            }
        }
        return true
    }

    /// A PrintableString, UTF8String or IA5String of printable ASCII, not empty.
    private static func isPrintableText(_ element: StrictDER.Element, in reader: StrictDER) -> Bool {
        guard [printableString, utf8String, ia5String].contains(element.tag), !element.content.isEmpty else { return false }
        return reader.bytes[element.content].allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// SEQUENCE { notBefore, notAfter }.
    private static func isValidity(_ element: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var times = parent.children(of: element),
              let notBefore = times.next(), isTime(notBefore, in: times),
              let notAfter = times.next(), isTime(notAfter, in: times)
        else { return false }
        return times.isAtEnd
    }

    /// UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime `YYYYMMDDHHMMSSZ` naming a real instant.
    private static func isTime(_ element: StrictDER.Element, in reader: StrictDER) -> Bool {
        let text = Array(reader.bytes[element.content])
        let yearDigits: Int
        switch element.tag {
        case StrictDER.utcTime where text.count == 13: yearDigits = 2
        case StrictDER.generalizedTime where text.count == 15: yearDigits = 4
        default: return false
        }
        guard text.last == UInt8(ascii: "Z") else { return false }
        let digits = text.dropLast()
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        func number(_ offset: Int, _ count: Int) -> Int {
            digits[offset..<(offset + count)].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        var year = number(0, yearDigits)
        if yearDigits == 2 { year += year < 50 ? 2000 : 1900 }
        let month = number(yearDigits, 2), day = number(yearDigits + 2, 2)
        let hour = number(yearDigits + 4, 2), minute = number(yearDigits + 6, 2), second = number(yearDigits + 8, 2)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...days[month - 1]).contains(day) else { return false }
        return hour <= 23 && minute <= 59 && second <= 59
    }

    /// SEQUENCE { AlgorithmIdentifier, BIT STRING }; the key inside is not looked at.
    private static func isSubjectPublicKeyInfo(_ element: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var fields = parent.children(of: element),
              let algorithm = fields.next(StrictDER.sequence), isAlgorithmIdentifier(algorithm, in: fields),
              let key = fields.next(bitString), isBitString(key, in: fields)
        else { return false }
        return fields.isAtEnd
    }

    /// SEQUENCE OF { OID, critical TRUE (or absent), OCTET STRING }, at least one.
    private static func isExtensions(_ element: StrictDER.Element, in parent: StrictDER) -> Bool {
        guard var extensions = parent.children(of: element), !extensions.isAtEnd else { return false }
        while !extensions.isAtEnd {
            guard let item = extensions.next(StrictDER.sequence), var fields = extensions.children(of: item),
                  let identifier = fields.next(), isObjectIdentifier(identifier, in: fields)
            else { return false }
            if fields.nextTag == boolean {
                guard let critical = fields.next(), fields.content(of: critical, is: [0xFF]) else { return false }
            }
            guard fields.next(StrictDER.octetString) != nil, fields.isAtEnd else { return false }
        }
        return true
    }
}
