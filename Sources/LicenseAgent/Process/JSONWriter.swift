/// JSON text written value by value, byte for byte as `JSONOutput`'s `JSONEncoder` writes it
/// compactly: no whitespace, `/` not escaped, `"` and `\` escaped, control characters as
/// `\b \f \n \r \t` or `\u00xx` (lowercase hex), every other character as its UTF-8 bytes
/// (DEL, U+2028 and characters beyond the BMP included).
///
/// The agent's status document is written at every boot; through `JSONEncoder` most of its
/// cost was the Swift runtime looking up the encoder's generic containers for each output
/// type the first time. Types that write themselves (`JSONWritable`) skip all of that. Keys
/// are written in the order the caller gives: `JSONEncoder` sorts them by their UTF-8 bytes,
/// so a caller writes them in that order (`StatusDocumentEncodingTests` compares the bytes).
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// A value has been written in the open container: the next one needs a comma first.
    private var needsComma = false

    public init() { bytes.reserveCapacity(1024) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// The key of the next value in an object.
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func stringOrNull(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func integer(_ value: Int) {
        literal(value.description)
    }

    public mutating func bool(_ value: Bool) {
        literal(value ? "true" : "false")
    }

    public mutating func null() {
        literal("null")
    }

    /// An array of strings, the one array of plain values the output types have.
    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Each element written by `write`, as a JSON array.
    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        beginArray()
        for element in elements { write(&self, element) }
        endArray()
    }

    private mutating func literal(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = false
    }

    /// The string's bytes with `JSONEncoder`'s escapes; runs without one are copied whole.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for (index, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
            start = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
    }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// An output type that writes its own JSON (`JSONWriter`), with exactly the bytes `JSONEncoder`
/// gives for its `Encodable` conformance, which stays for pretty output.
public protocol JSONWritable: Encodable {
    func write(to json: inout JSONWriter)
}
