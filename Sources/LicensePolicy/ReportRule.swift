/// What `report` sent last, `/wfs/license-agent/report.json` (DELIVERY.md "License
/// information back to the UMS"): the digest of the facts (the body without `checkedAt`), where
/// they went and when. Nothing else: the body itself is in the UMS, and the state directory
/// keeps no server answer.
public struct ReportRecord: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// SHA-256 (hex) of the body without `checkedAt`: the facts that were reported.
    public var sha256: String
    /// The URL the facts were posted to, credentials shown as `***`.
    public var endpoint: String
    /// When the UMS accepted them (the system clock), RFC 3339.
    public var time: String

    public init(sha256: String, endpoint: String, time: Timestamp) {
        self.sha256 = sha256
        self.endpoint = Credentials.redacted(endpoint)
        self.time = time.description
    }
}

/// The rules of `report` that need no device: whether `--if-changed` sends, and what a board
/// serial number read from the firmware is worth.
public enum ReportRule {
    /// Why a report is sent, or why not (the `reason` of `report --json`).
    public enum Decision: String, Sendable, Equatable {
        /// Plain `report`: sent whatever was sent before ("Refresh license information").
        case requested
        /// `--if-changed`, nothing recorded (never reported, or the record cannot be read).
        case neverReported = "never-reported"
        /// `--if-changed`, the facts or the server differ from the last report.
        case changed
        /// `--if-changed`, the same facts, but the last report is a day old or more (or dated
        /// after the clock, which was set back): the UMS hears from the device at least daily.
        case stale
        /// `--if-changed`, the same facts to the same server less than a day ago: nothing is sent.
        case unchanged

        public var sends: Bool { self != .unchanged }
    }

    /// How long unchanged facts stay reported: after this, `--if-changed` sends them again.
    public static let refreshSeconds: Int64 = 24 * 3600

    /// Whether to send the facts with digest `sha256` to `endpoint` at `now`. Without
    /// `ifChanged` it always sends; with it, only when the last report (`last`, nil when there
    /// is none) had other facts or another endpoint, or is `refreshSeconds` old or more. A
    /// record whose time does not parse counts as never reported; one dated after `now` (the
    /// clock went back) as stale, so a clock that jumps never silences the device for long.
    public static func decide(ifChanged: Bool, sha256: String, endpoint: String, last: ReportRecord?,
                              now: Timestamp) -> Decision {
        guard ifChanged else { return .requested }
        guard let last, let time = Timestamp(rfc3339: last.time) else { return .neverReported }
        guard last.sha256 == sha256, last.endpoint == Credentials.redacted(endpoint) else { return .changed }
        let age = now.secondsSinceEpoch - time.secondsSinceEpoch
        return age >= 0 && age < refreshSeconds ? .unchanged : .stale
    }

    /// Values firmware writes when the vendor set no serial number: they name no board, so
    /// they are reported as none. Compared case-insensitively, after trimming.
    public static let serialPlaceholders: Set<String> = [
        "to be filled by o.e.m.", "to be filled by oem", "default string", "system serial number",
        "0", "00000000", "0000000000", "none", "not specified", "not applicable", "n/a", "na",
        "123456789", "0123456789", "serial", "unknown", "invalid", "chassis serial number",
        "base board serial number", "empty", "xxxxxxxx", "ffffffff",
    ]

    /// The board serial number from the bytes of `product_serial`: trimmed of whitespace and
    /// NULs, nil when empty, a placeholder, not UTF-8, or holding a control character.
    public static func hardwareSerial(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let trimmed = text.trimmingWhitespaceAndNULs
        guard !trimmed.isEmpty, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              !serialPlaceholders.contains(trimmed.lowercased()) else { return nil }
        return trimmed
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace and NULs (firmware pads with both).
    fileprivate var trimmingWhitespaceAndNULs: String {
        let scalars = unicodeScalars
        let drop: (Unicode.Scalar) -> Bool = { $0 == " " || ("\t"..."\r").contains($0) || $0 == "\0" }
        guard let start = scalars.firstIndex(where: { !drop($0) }), let end = scalars.lastIndex(where: { !drop($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
