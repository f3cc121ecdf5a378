/// Reads the plain JSON an issuer writes into a license document, before `JSONDecoder` does.
///
/// Decoding the document with Foundation's `JSONDecoder` is the largest cost of a license
/// after the signature itself (the figures are in `Benchmarks/README.md`). This
/// reader takes a strict subset of JSON — a top-level object; strings without `\u` escapes or
/// control characters; integers of at most 15 digits; `true`, `false`, `null`; arrays and objects
/// at most 16 deep; no key twice; only JSON's four whitespace bytes — and answers `nil` for
/// everything else, which then goes to `JSONDecoder`. Like the verification fast path it may only
/// ever agree: whatever it reads, `JSONDecoder` reads as the same value, byte for byte
/// (`PlainJSONDifferentialTests` and the fuzz target `FuzzLicenseDocument` check it), so every
/// refusal and its wording still comes from the decoder.
struct PlainJSONReader {
    private let bytes: [UInt8]
    private var position = 0

    /// Objects and arrays deeper than this go to `JSONDecoder` (a document has two levels).
    static let maximumDepth = 16
    /// Integers longer than this go to `JSONDecoder`: every one of them is exact as a `Double`.
    static let maximumDigits = 15

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The fields of the top-level object, or `nil` when the text is outside the subset.
    /// `bytes` must be valid UTF-8 (the document parser checks that first).
    static func object(_ bytes: [UInt8]) -> [String: JSONValue]? {
        var reader = PlainJSONReader(bytes)
        reader.skipWhitespace()
        guard case .object(let fields)? = reader.value(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.position == bytes.count ? fields : nil
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private mutating func value(depth: Int) -> JSONValue? {
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "{"): return depth < Self.maximumDepth ? object(depth: depth + 1) : nil
        case UInt8(ascii: "["): return depth < Self.maximumDepth ? array(depth: depth + 1) : nil
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
        default: return nil
        }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        position += 1  // {
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(fields)
        }
        while true {
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            position += 1
            skipWhitespace()
            // A key twice (Swift's String equality is canonical equivalence, so this also
            // catches two spellings of one key) is left to the decoder and its rule.
            guard let value = value(depth: depth), fields.updateValue(value, forKey: key) == nil else { return nil }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}")?:
                position += 1
                return .object(fields)
            default: return nil
            }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            guard let element = value(depth: depth) else { return nil }
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ",")?:
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]")?:
                position += 1
                return .array(elements)
            default: return nil
            }
        }
    }

    /// A string whose escapes are the two-byte ones; `\u` and raw control characters are not read.
    private mutating func string() -> String? {
        position += 1  // "
        let start = position
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { return nil }
            position += 1
        }
        guard current == UInt8(ascii: "\\") else {
            guard current != nil else { return nil }
            position += 1
            // A slice between two ASCII quotes of valid UTF-8 is valid UTF-8.
            return String(decoding: bytes[start..<position - 1], as: UTF8.self)
        }
        // With escapes: the unescaped bytes are collected.
        var text = Array(bytes[start..<position])
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count, let unescaped = Self.unescaped(bytes[position + 1]) else { return nil }
                text.append(unescaped)
                position += 2
            case 0x00..<0x20:
                return nil
            default:
                text.append(byte)
                position += 1
            }
        }
        return nil
    }

    private static func unescaped(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// `0` or an optional minus and 1–15 digits without a leading zero; no fraction or exponent.
    private mutating func integer() -> JSONValue? {
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: Int64 = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            guard position - start < Self.maximumDigits else { return nil }
            magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"), !(negative && magnitude == 0) else {
            return nil
        }
        // A fraction, an exponent or anything glued to the digits is left to the decoder.
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            return nil
        }
        return .number(Double(negative ? -magnitude : magnitude))
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        let matches = word.withUTF8Buffer { expected in bytes[position..<position + count].elementsEqual(expected) }
        guard matches else { return nil }
        position += count
        return value
    }
}

extension JSONValue {
    /// The same value byte for byte: strings and keys by their UTF-8 (Swift's `==` on strings is
    /// canonical equivalence), numbers by their bits. What "agree" means for the reader's
    /// differential checks.
    func isIdentical(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.number(let left), .number(let right)): return left.bitPattern == right.bitPattern
        case (.string(let left), .string(let right)): return left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.isIdentical(to: $1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            let leftKeys = left.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            let rightKeys = right.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            return leftKeys == rightKeys && left.allSatisfy { key, value in right[key].map(value.isIdentical) ?? false }
        default: return false
        }
    }
}
