import LicensePolicy
import Testing

/// `deploy.json` and the reboot marker.
@Suite struct DeliveryRecordTests {
    static let record = DeliveryRecord(linkSHA256: "aaaa", link: "https://u:p@ums/l.lic", sha256: "bbbb",
                                         etag: "\"v1\"", lastModified: "Mon, 30 Nov 2026 08:00:00 GMT",
                                         outcome: "installed", detail: "valid", time: Timestamp(day: Fixture.day("2026-11-30")))

    @Test func conditionalRequestPrefersTheETag() {
        #expect(Self.record.conditionalHeaders(forLinkSHA256: "aaaa") == ["If-None-Match: \"v1\""])
        var noETag = Self.record
        noETag.etag = nil
        #expect(noETag.conditionalHeaders(forLinkSHA256: "aaaa") == ["If-Modified-Since: Mon, 30 Nov 2026 08:00:00 GMT"])
        noETag.lastModified = nil
        #expect(noETag.conditionalHeaders(forLinkSHA256: "aaaa").isEmpty)
        #expect(Self.record.conditionalHeaders(forLinkSHA256: "cccc").isEmpty, "another link downloads unconditionally")
    }

    @Test func theLinkIsKeptWithoutCredentials() {
        #expect(Self.record.link == "https://***@ums/l.lic")
        #expect(Self.record.delivered(linkSHA256: "aaaa", contentSHA256: "bbbb"))
        #expect(!Self.record.delivered(linkSHA256: "aaaa", contentSHA256: "dddd"))
        #expect(!Self.record.delivered(linkSHA256: "cccc", contentSHA256: "bbbb"))
    }

    @Test func rebootMarkerWarns() {
        let marker = RebootMarker(time: Timestamp(rfc3339: "2026-11-30T08:00:00Z")!, reason: "license deployed",
                                  files: ["EMP-R9HXH.lic"], userDecides: true)
        #expect(marker.warning.code == .rebootRequired)
        #expect(marker.warning.message.contains("EMP-R9HXH.lic"))
        #expect(marker.warning.message.contains("2026-11-30T08:00:00Z"))
    }
}
