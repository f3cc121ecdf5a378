/// What `deploy` did last, `/wfs/license-agent/deploy.json` (DELIVERY.md step 2): the link,
/// the SHA-256 of what it delivered, the server's validators (`ETag`, `Last-Modified`) and
/// the outcome — also for a refused file, so that the same bad file is not downloaded again
/// at every boot, only after the link or the server's ETag changes.
///
/// The link itself is kept only as a digest plus a display form without credentials: a
/// download link may carry a token, and the state directory is not the place for it.
public struct DeliveryRecord: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// SHA-256 of the full link, to recognise it again.
    public var linkSHA256: String
    /// The link with any `user:password@` shown as `***`.
    public var link: String
    /// SHA-256 of the bytes the link delivered.
    public var sha256: String
    public var etag: String?
    public var lastModified: String?
    /// `installed`, `already-installed` or `refused` (the verdicts are in `detail`).
    public var outcome: String
    public var detail: String
    /// When it was recorded (trusted time), RFC 3339.
    public var time: String

    public init(linkSHA256: String, link: String, sha256: String, etag: String?, lastModified: String?,
                outcome: String, detail: String, time: Timestamp) {
        self.linkSHA256 = linkSHA256
        self.link = Credentials.redacted(link)
        self.sha256 = sha256
        self.etag = Self.validator(etag)
        self.lastModified = Self.validator(lastModified)
        self.outcome = outcome
        self.detail = detail
        self.time = time.description
    }

    /// The conditional-request header for the link with this digest: `If-None-Match` with
    /// the recorded ETag, else `If-Modified-Since` with the recorded Last-Modified; none when
    /// the link is another one or the server gave neither.
    public func conditionalHeaders(forLinkSHA256 digest: String) -> [String] {
        guard digest == linkSHA256 else { return [] }
        if let etag = Self.validator(etag) { return ["If-None-Match: \(etag)"] }
        if let lastModified = Self.validator(lastModified) { return ["If-Modified-Since: \(lastModified)"] }
        return []
    }

    /// The longest validator that is recorded and sent back.
    public static let validatorLimit = 1024

    /// `value` when it may be recorded and replayed as a request header: not empty, at most
    /// `validatorLimit` bytes, and without control characters — a server's `\r\n` inside an
    /// ETag would otherwise become a header of the agent's next request.
    public static func validator(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= validatorLimit,
              !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return value
    }

    /// True when `bytes` from this link are what was recorded: nothing new to import.
    public func delivered(linkSHA256 digest: String, contentSHA256: String) -> Bool {
        digest == linkSHA256 && contentSHA256 == sha256
    }
}

/// `/run/license-agent/reboot-required` (DELIVERY.md step 4): a new license was installed and
/// takes effect at the next boot. Read by `status` (warning `reboot-required`) and by the
/// desktop's notifier; it lives in `/run`, so the reboot itself removes it.
public struct RebootMarker: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// When the license was installed (trusted time), RFC 3339.
    public var time: String
    public var reason: String
    /// The installed license files.
    public var files: [String]
    /// True when the user decides when to reboot (`prompt_user_on_actions=true`).
    public var userDecides: Bool

    public init(time: Timestamp, reason: String, files: [String], userDecides: Bool) {
        self.time = time.description
        self.reason = reason
        self.files = files
        self.userDecides = userDecides
    }

    /// The `reboot-required` warning `status` and `check` show while the marker exists.
    public var warning: Warning {
        let names = files.isEmpty ? "a new license" : files.joined(separator: ", ")
        return Warning(code: .rebootRequired,
                       message: "A new license was installed at \(time) (\(names)); it takes effect after a restart. Restart the device when convenient.")
    }
}
