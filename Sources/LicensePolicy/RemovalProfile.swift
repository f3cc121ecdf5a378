/// One removal profile: a small text file an administrator can read, copy and edit
/// (PROFILES.md; the format is documented in `Profiles/README.md`).
///
/// ```
/// # Comment lines start with '#'.
/// name: RemoveAllEnterpriseManagementPackLicenses
/// description: Removes all Enterprise Management Pack licenses
/// selector: product:EMP
/// ```
///
/// Parsing is strict, because a profile deletes licenses: the text must be UTF-8; every
/// line is blank, a comment, or `key: value` with one of the three keys; each key appears
/// exactly once; the name is also the file name (`NAME.profile`). Anything else is refused
/// with the line number, and a refused profile removes nothing.
public struct RemovalProfile: Sendable, Hashable {
    public let name: String
    public let description: String
    public let selector: RemovalSelector

    /// File names of profiles end in this.
    public static let fileExtension = ".profile"
    /// Largest profile file accepted; a real one is a few hundred bytes.
    public static let maximumSize = 16 * 1024
    public static let maximumNameLength = 64
    public static let maximumDescriptionLength = 200
    /// The keys of the format, in the order a profile is usually written.
    public static let keys = ["name", "description", "selector"]

    public init(name: String, description: String, selector: RemovalSelector) {
        self.name = name
        self.description = description
        self.selector = selector
    }

    /// Why a profile was refused: the line (1-based) when one line is at fault, and a reason.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int?
        public let reason: String

        public init(line: Int?, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
    }

    /// The profile text as the agent writes it: what `Profiles/*.profile` hold.
    public var text: String {
        "name: \(name)\ndescription: \(description)\nselector: \(selector)\n"
    }

    /// Parses a profile file. `fileName`, when given, must be `NAME.profile`.
    public static func parse(_ bytes: [UInt8], fileName: String? = nil) throws(Rejection) -> RemovalProfile {
        guard bytes.count <= maximumSize else {
            throw Rejection(line: nil, reason: "the file is larger than \(maximumSize) bytes; a profile is three short lines")
        }
        var content = bytes[...]
        // A byte-order mark, as some Windows editors write, is not part of the first key.
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }

        var values: [String: (value: String, line: Int)] = [:]
        let lines = content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var lineBytes = rawLine
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            guard let line = String(validating: lineBytes, as: UTF8.self) else {
                throw Rejection(line: number, reason: "not UTF-8 text; save the profile as UTF-8")
            }
            if let control = line.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
                throw Rejection(line: number, reason: "control character U+\(hex(control.value)) is not allowed")
            }
            let trimmed = line.trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw Rejection(line: number, reason: "expected `key: value` (keys: \(keys.joined(separator: ", "))) or a `#` comment")
            }
            let key = String(trimmed[..<colon]).trimmingBlanks()
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingBlanks()
            guard keys.contains(key) else {
                throw Rejection(line: number, reason: "unknown key `\(key)`; the keys are \(keys.joined(separator: ", "))")
            }
            if let earlier = values[key] {
                throw Rejection(line: number, reason: "`\(key)` is given twice (first on line \(earlier.line))")
            }
            guard !value.isEmpty else { throw Rejection(line: number, reason: "`\(key)` has no value") }
            values[key] = (value, number)
        }

        for key in keys where values[key] == nil {
            throw Rejection(line: nil, reason: "`\(key)` is missing; a profile needs \(keys.joined(separator: ", "))")
        }
        let name = values["name"]!, description = values["description"]!, selectorText = values["selector"]!
        try checkName(name.value, line: name.line)
        guard description.value.count <= maximumDescriptionLength else {
            throw Rejection(line: description.line, reason: "the description is longer than \(maximumDescriptionLength) characters")
        }
        let selector: RemovalSelector
        do {
            selector = try RemovalSelector(parsing: selectorText.value)
        } catch {
            throw Rejection(line: selectorText.line, reason: error.reason)
        }
        if let fileName, fileName != name.value + fileExtension {
            throw Rejection(line: name.line, reason: "the file must be named \(name.value)\(fileExtension) after its name, not \(fileName)")
        }
        return RemovalProfile(name: name.value, description: description.value, selector: selector)
    }

    /// Names are ASCII letters, digits, `-` and `_`, starting with a letter: they are file names.
    private static func checkName(_ name: String, line: Int) throws(Rejection) {
        guard name.count <= maximumNameLength,
              let first = name.unicodeScalars.first, first.isASCIILetter,
              name.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw Rejection(line: line, reason: "`\(name)` is not a profile name: use ASCII letters, digits, `-` and `_`, starting with a letter, at most \(maximumNameLength) characters")
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("A"..."Z").contains(self) || ("a"..."z").contains(self) }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
