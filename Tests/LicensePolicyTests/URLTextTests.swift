import LicensePolicy
import Testing

/// The note for plain transports and the scheme of a URL.
@Suite struct URLTextTests {
    @Test func plainTransportsGetANote() {
        #expect(URLText.transportNote(for: "http://host/x.lic")?.contains("http:// is not encrypted") == true)
        #expect(URLText.transportNote(for: "FTP://host/x.lic")?.contains("ftp:// is not encrypted") == true)
        #expect(URLText.transportNote(for: "https://host/x.lic") == nil)
        #expect(URLText.transportNote(for: "file:///x.lic") == nil)
        #expect(URLText.scheme(of: "HTTPS://x") == "https")
        #expect(URLText.scheme(of: "://x") == nil)
    }
}

@Suite struct PercentEncodingTests {
    @Test func unitIDsBecomeOnePathSegment() {
        #expect(URLText.percentEncoded("00E0C51C5087") == "00E0C51C5087")
        #expect(URLText.percentEncoded("#85641000D308482019") == "%2385641000D308482019")
        #expect(URLText.percentEncoded("a/b?c d~e") == "a%2Fb%3Fc%20d~e")
        #expect(URLText.percentEncoded("é") == "%C3%A9")
    }
}
