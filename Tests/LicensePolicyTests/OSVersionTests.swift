import LicensePolicy
import Testing

/// `VERSION_ID` read in full and compared part by part (ENTITLEMENTS.md "OS 11 versions").
@Suite struct OSVersionTests {
    static func version(_ text: String) -> OSVersion {
        guard let version = OSVersion(text) else { fatalError("bad test version \(text)") }
        return version
    }

    @Test func partsAreComparedNumericallyWithMissingPartsAsZero() {
        #expect(Self.version("11.08.100") > Self.version("11.07.100"))
        #expect(Self.version("11.10.100") > Self.version("11.9"), "numeric, not text order")
        #expect(Self.version("11.6") == Self.version("11.06.0"))
        #expect(Self.version("11.06") < Self.version("11.06.1"))
        #expect(Self.version("12") == Self.version("12.0.0"))
        #expect(Self.version("11.01.110").parts == [11, 1, 110])
        #expect(Self.version("11.01.110").major == 11)
    }

    @Test func writtenFormIsKept() {
        #expect(Self.version("12.5.1").description == "12.5.1")
        #expect(Self.version("\"11.08.100\"").description == "11.08.100")
    }

    @Test(arguments: ["", "11.", ".11", "11..1", "v11", "-1", "11.1234567", "1 1", "11 beta", "11.08.100.5a",
                      "11.08.100.", "11.08.100-", "11.08.100.rc 4"])
    func malformedVersionsAreRefused(text: String) {
        #expect(OSVersion(text) == nil)
    }

    @Test func osReleaseValue() {
        let text = "NAME=\"IGEL OS\"\nVERSION_ID=\"11.08.100\"\nID=igel\n"
        #expect(OSVersion.fromOSRelease(text) == Self.version("11.08.100"))
        #expect(OSVersion.fromOSRelease("NAME=x\n") == nil)
        #expect(OSVersion.fromOSRelease("VERSION_ID=eleven\n") == nil)
    }

    /// "11.01.110 up to and including 11.06.x": every 11.06 release is inside, 11.07 is not.
    @Test func windowThroughCoversEveryReleaseOfThatSeries() {
        let teradici = VersionWindow(from: "11.01.110", through: "11.06")
        let inside = ["11.01.110", "11.01.111", "11.05.133", "11.06", "11.06.0", "11.06.100", "11.06.999"]
        let outside = ["11.01.100", "11.01.109", "11.01", "11.07", "11.07.100", "11.08.100", "12.5.1"]
        for text in inside { #expect(teradici.contains(Self.version(text)), "\(text)") }
        for text in outside { #expect(!teradici.contains(Self.version(text)), "\(text)") }
        #expect(teradici.description == "11.01.110 to 11.06.x")
        #expect(VersionWindow(from: "11.02.100").description == "11.02.100 and higher")
    }

    @Test func openWindows() {
        #expect(VersionWindow(from: "11.02.100").contains(Self.version("11.02.100")))
        #expect(!VersionWindow(from: "11.02.100").contains(Self.version("11.02.099")))
        #expect(VersionWindow(through: "11.06").contains(Self.version("11.01")))
        #expect(VersionWindow().contains(Self.version("99")))
    }
}
