/// `key=value` settings files: the device settings `/wfs/group.ini` (`dotted.key=value`)
/// and the agent's own `/etc/license-agent/agent.conf`.
///
/// Pure parsing, so that the rules that read settings (EMP suppression, the OS generation
/// override) and `config apply`'s validation agree on one grammar: a UTF-8 byte-order mark
/// at the start and a `\r` before a line end are ignored, `#` starts a comment line, blank
/// lines are skipped, keys and values are trimmed, one pair of matching quotes
/// around a value is removed, and the last of repeated keys wins. A line that is none of
/// these is kept as a problem, so a caller can refuse a file rather than half-read it.
public struct Settings: Sendable, Equatable {
    /// A line that is neither blank, a comment nor `key=value`.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public let line: Int
        public let text: String

        public var description: String { "line \(line): \(text)" }
    }

    /// The key whose value `false` silences EMP expiry warnings (source: "How Can I Suppress
    /// Enterprise Management Pack Expiration Warnings?").
    public static let empNotificationKey = "userinterface.license_notification.enable_enterprise_management_notification"

    public let values: [String: String]
    public let problems: [Problem]

    public init(values: [String: String]) {
        self.values = values
        problems = []
    }

    public init(parsing text: String) {
        // A byte-order mark before the first key belongs to no key (DELIVERY.md "Settings keys").
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        var values: [String: String] = [:]
        var problems: [Problem] = []
        var number = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="),
                  case let key = line[..<equals].trimmingASCIIWhitespace(), Self.isValidKey(key)
            else {
                problems.append(Problem(line: number, text: String(line.prefix(80))))
                continue
            }
            values[key] = Self.unquoted(line[line.index(after: equals)...].trimmingASCIIWhitespace())
        }
        self.values = values
        self.problems = problems
    }

    /// Parses UTF-8 bytes; invalid sequences become U+FFFD (and then usually a problem).
    public init(parsing bytes: [UInt8]) {
        self.init(parsing: String(decoding: bytes, as: UTF8.self))
    }

    public subscript(key: String) -> String? { values[key] }

    /// `true/yes/on/1` and `false/no/off/0`, any case; nil when absent or anything else.
    public func bool(_ key: String) -> Bool? {
        switch values[key]?.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: return nil
        }
    }

    /// False only when the administrator switched EMP notifications off explicitly.
    public var empNotificationsEnabled: Bool { bool(Self.empNotificationKey) ?? true }

    /// Letters, digits and `. _ -`, starting with a letter or digit.
    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return key.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
    }

    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first
        else { return value }
        return String(value.dropFirst().dropLast())
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
