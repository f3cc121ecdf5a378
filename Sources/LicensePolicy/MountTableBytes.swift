/// The mount table parsed as bytes: what `MountTable(parsing:)` runs at every boot.
///
/// The unit ID reads the table to see whether the system runs from a UD Pocket, and the
/// store reads it to restore the license partition's read-only state exactly, so it is
/// parsed at every boot; splitting it as `Character`s cost far more than everything else
/// the unit ID does. This parser splits lines at `\n` and fields at spaces, byte by byte,
/// decodes the kernel's octal escapes and builds only the strings an entry holds.
///
/// It must give exactly the table `MountTableText` gives (the specification, which splits by
/// grapheme): for an all-ASCII line the two agree byte for byte, and a line with any other
/// byte goes to `MountTableText.parseLine`, where grapheme rules (a combining mark after a
/// space joins it) apply. Lines end at every `\n` that does not follow a `\r` — Unicode
/// keeps `\r\n` one character, wherever the bytes around it come from.
enum MountTableBytes {
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let comma = UInt8(ascii: ",")
    private static let colon = UInt8(ascii: ":")
    private static let dash = UInt8(ascii: "-")
    private static let plus = UInt8(ascii: "+")
    private static let backslash = UInt8(ascii: "\\")
    private static let zero = UInt8(ascii: "0")

    /// Every entry of `text`, which must be valid UTF-8 (a Swift string's bytes); the error
    /// names the first malformed line, as `MountTableText` does.
    static func entries(parsing text: UnsafeBufferPointer<UInt8>) -> Result<[MountTable.Entry], AgentError> {
        var entries: [MountTable.Entry] = []
        var bounds: [Int] = []
        bounds.reserveCapacity(32)
        var lineNumber = 0
        var start = 0
        while start <= text.count {
            var end = start
            var ascii = true
            while end < text.count, text[end] != newline || (end > 0 && text[end - 1] == carriageReturn) {
                ascii = ascii && text[end] < 0x80
                end += 1
            }
            lineNumber += 1
            defer { start = end + 1 }
            guard end > start else { continue }
            let line = UnsafeBufferPointer(rebasing: text[start..<end])
            let entry = ascii ? parseLine(line, bounds: &bounds)
                : MountTableText.parseLine(Substring(String(decoding: line, as: UTF8.self)))
            guard let entry else {
                return .failure(MountTable.malformed(lineNumber: lineNumber, line: String(decoding: line, as: UTF8.self)))
            }
            entries.append(entry)
        }
        return .success(entries)
    }

    /// One all-ASCII line, or nil when it is malformed. `bounds` is scratch space: the start
    /// and end of each field, in turn (an array of `Int`, whose type the runtime already knows).
    static func parseLine(_ line: UnsafeBufferPointer<UInt8>, bounds: inout [Int]) -> MountTable.Entry? {
        bounds.removeAll(keepingCapacity: true)
        split(line, 0..<line.count, at: space) { bounds.append($0.lowerBound); bounds.append($0.upperBound) }
        let count = bounds.count / 2
        func field(_ index: Int) -> Range<Int> { bounds[2 * index]..<bounds[2 * index + 1] }
        var separator = 0
        while separator < count, field(separator).count != 1 || line[bounds[2 * separator]] != dash { separator += 1 }
        guard separator < count, separator >= 6, count >= separator + 3,
              let mountID = integer(line, field(0), as: Int.self),
              let parentID = integer(line, field(1), as: Int.self),
              let device = deviceNumber(line, field(2)),
              let root = decodeOctalEscapes(line, field(3)),
              let mountPoint = decodeOctalEscapes(line, field(4)),
              let source = decodeOctalEscapes(line, field(separator + 2))
        else { return nil }
        var optionalFields: [String] = []
        for index in 6..<separator { optionalFields.append(string(line, field(index))) }
        let type = field(separator + 1)
        return MountTable.Entry(
            mountID: mountID, parentID: parentID, device: device,
            root: root, mountPoint: mountPoint,
            mountOptions: options(line, field(5)),
            optionalFields: optionalFields,
            fileSystemType: decodeOctalEscapes(line, type) ?? string(line, type),
            source: source,
            superOptions: count > separator + 3 ? options(line, field(separator + 3)) : [])
    }

    /// Calls `body` with each non-empty run of bytes in `range` between `separator`s.
    private static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, at separator: UInt8,
                              _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        for index in range where bytes[index] == separator {
            if index > start { body(start..<index) }
            start = index + 1
        }
        if range.upperBound > start { body(start..<range.upperBound) }
    }

    private static func string(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }

    private static func options(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [String] {
        var options: [String] = []
        split(line, range, at: comma) { options.append(string(line, $0)) }
        return options
    }

    /// `major:minor`: exactly one colon, each side a `UInt32` as `UInt32(_:)` reads it.
    private static func deviceNumber(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> MountTable.DeviceNumber? {
        guard let colon = range.first(where: { line[$0] == colon }),
              !range[(colon + 1)...].contains(where: { line[$0] == colon }),
              let major = integer(line, range.lowerBound..<colon, as: UInt32.self),
              let minor = integer(line, (colon + 1)..<range.upperBound, as: UInt32.self)
        else { return nil }
        return MountTable.DeviceNumber(major: major, minor: minor)
    }

    /// A decimal integer as `T(_: String)` reads it: an optional `+` or `-`, then at least one
    /// digit, nil on overflow (so `-0` is a `UInt32`, `-1` is not).
    private static func integer<T: FixedWidthInteger>(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                                      as: T.Type) -> T? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, line[index] == plus || line[index] == dash {
            negative = line[index] == dash
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value: T = 0
        while index < range.upperBound {
            let digit = line[index] &- zero
            guard digit < 10 else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowDigit) = negative ? shifted.subtractingReportingOverflow(T(digit))
                : shifted.addingReportingOverflow(T(digit))
            guard !overflowShift, !overflowDigit else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// The field with `\ooo` escapes decoded, as `MountTableText.decodeOctalEscapes` does it:
    /// nil for a backslash without three octal digits, a value above 255, or bytes that are
    /// not UTF-8 once decoded.
    private static func decodeOctalEscapes(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard let first = range.first(where: { line[$0] == backslash }) else { return string(line, range) }
        var output = Array(line[range.lowerBound..<first])
        output.reserveCapacity(range.count)
        var index = first
        while index < range.upperBound {
            let byte = line[index]
            guard byte == backslash else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 3 < range.upperBound else { return nil }
            var value = 0
            for digit in line[(index + 1)...(index + 3)] {
                guard digit >= zero, digit <= zero + 7 else { return nil }
                value = value * 8 + Int(digit - zero)
            }
            guard value <= 0xFF else { return nil }
            output.append(UInt8(value))
            index += 4
        }
        return String(validating: output, as: UTF8.self)
    }
}
