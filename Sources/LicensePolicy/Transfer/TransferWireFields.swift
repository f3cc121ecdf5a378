/// Writes the fields of one `TransferWire` message.
struct FieldWriter {
    private var bytes: [UInt8]

    init(magic: [UInt8]) { bytes = magic }

    /// The message, closed by its end field.
    var finished: [UInt8] {
        var copy = self
        copy.add(.end, [])
        return copy.bytes
    }

    mutating func add(_ tag: TransferWire.Tag, _ value: [UInt8]) {
        let length = UInt32(value.count)
        bytes.append(tag.rawValue)
        bytes += [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
                  UInt8(truncatingIfNeeded: length)]
        bytes += value
    }

    mutating func add(_ tag: TransferWire.Tag, _ text: String) { add(tag, Array(text.utf8)) }

    /// A number as 8 bytes, big-endian, two's complement.
    mutating func add(_ tag: TransferWire.Tag, _ number: Int) {
        let bits = UInt64(bitPattern: Int64(number))
        add(tag, (0..<8).reversed().map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) })
    }
}

/// The fields of one `TransferWire` message, read strictly.
struct FieldReader {
    private var values: [TransferWire.Tag: [[UInt8]]] = [:]

    /// The fields after `magic`; nil when a tag is unknown, a length runs past the end, a tag
    /// outside `repeatable` appears twice, or the message does not close with an empty end field.
    static func fields(_ bytes: [UInt8], magic: [UInt8], repeatable: Set<TransferWire.Tag>) -> FieldReader? {
        guard bytes.starts(with: magic), bytes.count >= magic.count + 5,
              bytes.suffix(5).elementsEqual([TransferWire.Tag.end.rawValue, 0, 0, 0, 0]) else { return nil }
        var reader = FieldReader()
        var index = magic.count
        let end = bytes.count - 5
        while index < end {
            guard end - index >= 5, let tag = TransferWire.Tag(rawValue: bytes[index]), tag != .end else { return nil }
            let length = bytes[(index + 1)...(index + 4)].reduce(0) { $0 << 8 | Int($1) }
            index += 5
            guard length <= end - index else { return nil }
            guard reader.values[tag] == nil || repeatable.contains(tag) else { return nil }
            reader.values[tag, default: []].append(Array(bytes[index..<(index + length)]))
            index += length
        }
        return reader
    }

    func single(_ tag: TransferWire.Tag) -> [UInt8]? { values[tag]?.first }

    func text(_ tag: TransferWire.Tag) -> String? { single(tag).flatMap { String(validating: $0, as: UTF8.self) } }

    /// Every value of a repeatable tag as text (none: empty); nil when one is not UTF-8.
    func texts(_ tag: TransferWire.Tag) -> [String]? {
        var texts: [String] = []
        for value in values[tag] ?? [] {
            guard let text = String(validating: value, as: UTF8.self) else { return nil }
            texts.append(text)
        }
        return texts
    }

    /// An 8-byte number that is not negative.
    func number(_ tag: TransferWire.Tag) -> Int? {
        guard let value = single(tag), value.count == 8 else { return nil }
        let number = Int(Int64(bitPattern: value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
        return number >= 0 ? number : nil
    }

    /// The validators as `name: value`; nil when one is malformed, unknown or repeated.
    func validators() -> [String: String]? {
        var headers: [String: String] = [:]
        for value in values[.validator] ?? [] {
            guard let separator = value.firstIndex(of: 0),
                  let name = String(validating: value[..<separator], as: UTF8.self),
                  let text = String(validating: value[(separator + 1)...], as: UTF8.self),
                  TransferResponse.validatorNames.contains(name), headers[name] == nil else { return nil }
            headers[name] = text
        }
        return headers
    }
}
