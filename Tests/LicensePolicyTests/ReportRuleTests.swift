import LicensePolicy
import Testing

/// `report`'s rules: when `--if-changed` sends, and what a firmware serial number is worth.
@Suite struct ReportRuleTests {
    static let now = Timestamp(rfc3339: "2026-12-05T12:00:00Z")!
    static let endpoint = "https://ums:8443/v1/devices/00E0C51C5087/license-info"

    static func record(_ sha256: String = "aaaa", endpoint: String = endpoint, secondsAgo: Int64) -> ReportRecord {
        ReportRecord(sha256: sha256, endpoint: endpoint, time: now.adding(seconds: -secondsAgo))
    }

    static func decide(ifChanged: Bool = true, _ last: ReportRecord?) -> ReportRule.Decision {
        ReportRule.decide(ifChanged: ifChanged, sha256: "aaaa", endpoint: endpoint, last: last, now: now)
    }

    @Test func aPlainReportAlwaysSends() {
        #expect(Self.decide(ifChanged: false, Self.record(secondsAgo: 1)) == .requested)
        #expect(Self.decide(ifChanged: false, nil) == .requested)
        #expect(ReportRule.Decision.requested.sends)
    }

    @Test func ifChangedSendsWhatTheUMSHasNotHadToday() {
        #expect(Self.decide(nil) == .neverReported)
        #expect(Self.decide(Self.record("bbbb", secondsAgo: 60)) == .changed)
        #expect(Self.decide(Self.record(endpoint: "https://other-ums/v1/devices/00E0C51C5087/license-info", secondsAgo: 60)) == .changed,
                "a device moved to another UMS tells the new one")
        #expect(Self.decide(Self.record(secondsAgo: 0)) == .unchanged)
        #expect(!ReportRule.Decision.unchanged.sends)
    }

    /// Less than 24 hours: nothing; 24 hours or more: sent again.
    @Test func theDayRuleAtItsEdge() {
        #expect(Self.decide(Self.record(secondsAgo: ReportRule.refreshSeconds - 1)) == .unchanged)
        #expect(Self.decide(Self.record(secondsAgo: ReportRule.refreshSeconds)) == .stale)
        #expect(Self.decide(Self.record(secondsAgo: 40 * 86_400)) == .stale)
    }

    /// A record dated after the clock (set back since) or with a time that does not parse
    /// never silences the device.
    @Test func aRecordFromTheFutureOrWithoutATimeDoesNotSilence() {
        #expect(Self.decide(Self.record(secondsAgo: -3600)) == .stale)
        var undated = Self.record(secondsAgo: 10)
        undated.time = "yesterday"
        #expect(Self.decide(undated) == .neverReported)
    }

    @Test func theRecordKeepsNoCredentials() {
        let record = ReportRecord(sha256: "aaaa", endpoint: "https://admin:secret@ums/v1/devices/X/license-info", time: Self.now)
        #expect(!record.endpoint.contains("secret"))
        #expect(ReportRule.decide(ifChanged: true, sha256: "aaaa", endpoint: "https://admin:secret@ums/v1/devices/X/license-info",
                                  last: record, now: Self.now) == .unchanged, "compared as recorded")
    }

    @Test(arguments: ["To Be Filled By O.E.M.", "to be filled by o.e.m.\n", "Default string", "System Serial Number",
                      "0", "None", "", "   \n", "\0\0\0", " Not Specified ", "N/A"])
    func placeholdersAreNoSerial(_ text: String) {
        #expect(ReportRule.hardwareSerial(Array(text.utf8)) == nil)
    }

    @Test func aSerialIsTrimmed() {
        #expect(ReportRule.hardwareSerial(Array("  PF3ABCDE\n".utf8)) == "PF3ABCDE")
        #expect(ReportRule.hardwareSerial(Array("SN 0815-X\0".utf8)) == "SN 0815-X")
        #expect(ReportRule.hardwareSerial(Array("00E0C51C5087".utf8)) == "00E0C51C5087")
    }

    @Test func aSerialThatIsNotPlainTextIsNone() {
        #expect(ReportRule.hardwareSerial([0x41, 0xFF, 0x42]) == nil, "not UTF-8")
        #expect(ReportRule.hardwareSerial(Array("AB\u{1b}[2JCD".utf8)) == nil, "a control character")
    }
}
