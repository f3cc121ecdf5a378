/// A reader of DER (X.690 §10) that accepts only the one canonical encoding of each element,
/// over a byte array it never copies.
///
/// Used by the verification fast path (`FastLicenseVerifier`), which may only accept what
/// OpenSSL's `CMS_verify` path would accept with the same result. OpenSSL reads BER; a
/// strict subset of it can only make the fast path say "I cannot prove this" more often,
/// never differently. So anything that is not minimal DER is refused here:
/// - tags: one byte (low tag numbers only; the high-tag form `0x1F` is refused);
/// - lengths: definite, in the fewest bytes (short form below 128; `0x81 NN` only for
///   NN ≥ 128, `0x82`/`0x83` only when the first byte is needed), at most three length
///   bytes (a license is at most 64 KiB); the indefinite form `0x80` is refused;
/// - an element must lie inside its parent, and a parent must be filled exactly.
struct StrictDER {
    /// One element: its tag, where it is (header included), and where its content is.
    struct Element {
        let tag: UInt8
        /// The whole element, tag and length included.
        let range: Range<Int>
        /// The content octets.
        let content: Range<Int>

        var isConstructed: Bool { tag & 0x20 != 0 }
    }

    // Tags used by the CMS walk (X.690 universal and context-specific classes).
    static let integer: UInt8 = 0x02
    static let octetString: UInt8 = 0x04
    static let null: UInt8 = 0x05
    static let objectIdentifier: UInt8 = 0x06
    static let utcTime: UInt8 = 0x17
    static let generalizedTime: UInt8 = 0x18
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    /// `[0]` constructed (EXPLICIT [0], or IMPLICIT [0] of a constructed type).
    static let contextConstructed0: UInt8 = 0xA0
    /// `[0]` primitive (IMPLICIT [0] of a primitive type, e.g. subjectKeyIdentifier).
    static let contextPrimitive0: UInt8 = 0x80

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    /// A reader over `bytes[range]` (all of `bytes` by default).
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        position = range.lowerBound
        end = range.upperBound
    }

    /// A reader over the content of `element`, which must be constructed.
    func children(of element: Element) -> StrictDER? {
        guard element.isConstructed else { return nil }
        return StrictDER(bytes, range: element.content)
    }

    /// Nothing is left to read.
    var isAtEnd: Bool { position == end }

    /// The next element's tag, without reading it.
    var nextTag: UInt8? { position < end ? bytes[position] : nil }

    /// Reads the next element whatever its tag; nil when none is left or it is not strict DER.
    mutating func next() -> Element? {
        let start = position
        guard start < end else { return nil }
        let tag = bytes[start]
        guard tag & 0x1F != 0x1F, start + 1 < end else { return nil }
        let first = Int(bytes[start + 1])
        var cursor = start + 2
        let length: Int
        if first < 0x80 {
            length = first
        } else {
            let count = first & 0x7F
            guard (1...3).contains(count), cursor + count <= end else { return nil }
            var value = 0
            for index in cursor..<(cursor + count) { value = value << 8 | Int(bytes[index]) }
            // Minimal: the long form only from 128 on, and no leading zero byte.
            guard value >= 0x80, bytes[cursor] != 0 else { return nil }
            length = value
            cursor += count
        }
        guard length <= end - cursor else { return nil }
        position = cursor + length
        return Element(tag: tag, range: start..<position, content: cursor..<position)
    }

    /// Reads the next element and requires `tag`.
    mutating func next(_ tag: UInt8) -> Element? {
        guard nextTag == tag else { return nil }
        return next()
    }

    /// True when the content of `element` is exactly `expected` (an OID's or an INTEGER's octets).
    func content(of element: Element, is expected: [UInt8]) -> Bool {
        element.content.count == expected.count && bytes[element.content].elementsEqual(expected)
    }

    /// True when `element` and everything in it (recursively, for constructed elements)
    /// is strict DER.
    func isWellFormed(_ element: Element) -> Bool {
        guard var inner = children(of: element) else { return true }
        while !inner.isAtEnd {
            guard let child = inner.next(), inner.isWellFormed(child) else { return false }
        }
        return true
    }
}
