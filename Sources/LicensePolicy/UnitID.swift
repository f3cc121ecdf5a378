/// A device's unit ID in canonical form: the key a license is bound to.
///
/// Two shapes exist (LICENSE-FORMAT.md "Unit IDs"): a MAC address as 12 upper-case hex
/// digits, or `#` + the flash serial of a UD Pocket in upper case. Licenses are matched on
/// canonical forms only, so every spelling is normalised here and nowhere else.
public struct UnitID: Hashable, Sendable, CustomStringConvertible, Codable {
    public enum Source: String, Sendable, Codable {
        case mac
        case udPocket = "ud-pocket"
    }

    public let value: String
    public var source: Source { value.hasPrefix("#") ? .udPocket : .mac }

    /// Canonicalises `text`, or returns nil when it is neither a MAC spelling the format
    /// accepts (`00E0C51C5087`, `00:E0:C5:1C:50:87`, `00-e0-c5-1c-50-87`) nor `#serial`.
    public init?(_ text: String) {
        if text.hasPrefix("#") {
            let serial = text.dropFirst().uppercased()
            guard !serial.isEmpty, serial.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            value = "#" + serial
            return
        }
        guard let mac = UnitID.canonicalMAC(text) else { return nil }
        value = mac
    }

    /// The unit ID of a UD Pocket whose flash device reports `serial` (trimmed, upper case).
    public init?(pocketSerial serial: String) {
        let trimmed = serial.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        self.init("#" + trimmed)
    }

    public var description: String { value }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = UnitID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a unit ID: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// 12 upper-case hex digits from one of the three accepted spellings.
    static func canonicalMAC(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let hexDigits: [UInt8]
        switch bytes.count {
        case 12:
            hexDigits = bytes
        case 17:
            let separator = bytes[2]
            guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
            for index in stride(from: 2, to: 17, by: 3) where bytes[index] != separator { return nil }
            hexDigits = bytes.enumerated().filter { ($0.offset + 1) % 3 != 0 }.map(\.element)
        default:
            return nil
        }
        guard hexDigits.count == 12, hexDigits.allSatisfy(\.isASCIIHexDigit) else { return nil }
        return String(decoding: hexDigits, as: UTF8.self).uppercased()
    }
}

extension UInt8 {
    var isASCIIHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    public func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
