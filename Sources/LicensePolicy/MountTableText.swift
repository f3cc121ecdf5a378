/// The mount table parsed as Swift text: the specification of `MountTable(parsing:)`.
///
/// This is the parser the agent always had. It splits by `Character`, so it inherits
/// Unicode's grapheme rules: a space followed by a combining mark, or preceded by a prepended
/// concatenation mark, does not separate fields, and `\r\n` does not end a line. The byte
/// parser (`MountTableBytes`) gives exactly this table for every text, which the differential
/// tests and the mount table's fuzz target check against this type; it hands every line
/// that is not all ASCII to `parseLine` here, because only there do those rules matter.
enum MountTableText {
    /// The whole table, as `MountTable(parsing:)` must give it.
    static func entries(parsing text: String) throws(AgentError) -> [MountTable.Entry] {
        var parsed: [MountTable.Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.isEmpty else { continue }
            guard let entry = parseLine(line) else { throw MountTable.malformed(lineNumber: index + 1, line: String(line)) }
            parsed.append(entry)
        }
        return parsed
    }

    /// One line, or nil when it is malformed.
    static func parseLine(_ line: Substring) -> MountTable.Entry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 3,
              let mountID = Int(fields[0]), let parentID = Int(fields[1]),
              let device = MountTable.DeviceNumber(parsing: fields[2]),
              let root = decodeOctalEscapes(fields[3]),
              let mountPoint = decodeOctalEscapes(fields[4]),
              let source = decodeOctalEscapes(fields[separator + 2])
        else { return nil }
        return MountTable.Entry(
            mountID: mountID, parentID: parentID, device: device,
            root: root, mountPoint: mountPoint,
            mountOptions: options(fields[5]),
            optionalFields: fields[6..<separator].map(String.init),
            fileSystemType: decodeOctalEscapes(fields[separator + 1]) ?? String(fields[separator + 1]),
            source: source,
            superOptions: fields.count > separator + 3 ? options(fields[separator + 3]) : [])
    }

    static func options(_ field: Substring) -> [String] {
        field.split(separator: ",").map(String.init)
    }

    /// Decodes the kernel's `\ooo` escapes (`\040` space, `\011` tab, `\012` newline,
    /// `\134` backslash). nil when a backslash is not followed by three octal digits or
    /// the bytes are not UTF-8.
    static func decodeOctalEscapes(_ field: Substring) -> String? {
        let input = Array(field.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 3 < input.count else { return nil }
            var value: UInt32 = 0
            for digit in input[(index + 1)...(index + 3)] {
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
                value = value * 8 + UInt32(digit - UInt8(ascii: "0"))
            }
            guard value <= 0xFF else { return nil }
            output.append(UInt8(value))
            index += 4
        }
        return String(validating: output, as: UTF8.self)
    }
}
