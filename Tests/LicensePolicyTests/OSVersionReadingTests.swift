import LicensePolicy
import Testing

/// Release names with suffixes and versions that cannot be read (ENTITLEMENTS.md "OS 11
/// versions"): the numbers decide, the suffix is ignored, and an OS 11 version that cannot be
/// read denies every version-limited feature (fail closed) with `os-version-unknown`.
@Suite struct OSVersionReadingTests {
    static let today = "2026-11-29"

    /// The source's own spellings, and the usual separators.
    @Test(arguments: [("11.07.120.DER", [11, 7, 120]), ("11.07.120.rc4", [11, 7, 120]), ("11.03.500.tp2", [11, 3, 500]),
                      ("11.01.100.rc4", [11, 1, 100]), ("11.08.100-rc1", [11, 8, 100]), ("\"11.08.100.DER\"", [11, 8, 100]),
                      ("12.5.1.beta_2", [12, 5, 1])])
    func suffixesAreIgnored(text: String, parts: [Int]) throws {
        let version = try #require(OSVersion(text))
        #expect(version.parts == parts)
        #expect(version == OSVersion(parts.map(String.init).joined(separator: "."))!)
        #expect(!version.description.hasPrefix("\""))
    }

    @Test func theWrittenFormKeepsTheSuffix() throws {
        #expect(try #require(OSVersion("11.07.120.rc4")).description == "11.07.120.rc4")
    }

    /// The Teradici window at its upper edge, with suffixes.
    @Test(arguments: [("11.06.999.DER", true), ("11.07.120.rc4", false), ("11.08.100.DER", false), ("11.01.110.tp1", true),
                      ("11.01.109.DER", false)])
    func windowsApplyToTheNumbers(text: String, inside: Bool) throws {
        let window = VersionWindow(from: "11.01.110", through: "11.06")
        #expect(window.contains(try #require(OSVersion(text))) == inside)
    }

    // MARK: Reading os-release

    @Test func readingForTheDevicesGeneration() {
        #expect(OSVersionReading.fromOSRelease("NAME=x\nVERSION_ID=\"11.08.100.DER\"\n", generation: .os11)
            == .read(OSVersion("11.08.100")!))
        #expect(OSVersionReading.fromOSRelease("VERSION_ID=12.5.1\n", generation: .os12).version == OSVersion("12.5.1"))
    }

    @Test(arguments: [
        ("NAME=\"IGEL OS\"\n", "os-release has no VERSION_ID"),
        ("VERSION_ID=\"11 beta\"\n", "VERSION_ID \"11 beta\" is not a version number"),
        ("VERSION_ID=eleven\n", "VERSION_ID \"eleven\" is not a version number"),
        ("VERSION_ID=12.5.1\n", "VERSION_ID 12.5.1 is not an IGEL OS 11 version"),
    ])
    func unreadableForOS11(osRelease: String, detail: String) {
        #expect(OSVersionReading.fromOSRelease(osRelease, generation: .os11) == .unreadable(detail: detail))
    }

    @Test func noFileIsUnreadable() {
        #expect(OSVersionReading.fromOSRelease(nil, generation: .os11) == .unreadable(detail: "os-release has no VERSION_ID"))
    }

    @Test func aLongValueIsCut() {
        let long = String(repeating: "x", count: 100)
        guard case .unreadable(let detail) = OSVersionReading.fromOSRelease("VERSION_ID=\(long)\n", generation: .os11) else {
            Issue.record("read")
            return
        }
        #expect(detail.count < 80, "\(detail)")
    }

    // MARK: Entitlements on an unreadable version

    static let we = Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-10-31")
    static let packs = [
        we, Fixture.license("TER", starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("PWT", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("90M", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
    ]

    static func evaluate(_ generation: OSGeneration, _ licenses: [LicenseDocument], _ reading: OSVersionReading,
                         empNotifications: Bool = true) -> Entitlements {
        Entitlements.evaluate(generation: generation, versionReading: reading,
                              products: ProductStatus.summarize(licenses, on: Fixture.day(today)),
                              today: Fixture.day(today), empNotificationsEnabled: empNotifications)
    }

    static let unreadable = OSVersionReading.unreadable(detail: "VERSION_ID \"11 beta\" is not a version number")

    @Test func everyVersionLimitedFeatureIsDenied() throws {
        let result = Self.evaluate(.os11, Self.packs, Self.unreadable)
        #expect(result.licensed)
        for feature in EntitlementTable.os11.versionLimitedFeatures {
            let decision = try #require(result.decision(for: feature))
            #expect(!decision.allowed, "\(feature)")
            #expect(decision.reason?.contains("this device's version cannot be read (VERSION_ID \"11 beta\" is not a version number)") == true,
                    "\(decision)")
        }
        #expect(EntitlementTable.os11.versionLimitedFeatures.sorted() == ["pcoip-teradici", "powerterm", "smartcard-90meter"])
        #expect(result.decision(for: "use-os")?.allowed == true)
        #expect(result.decision(for: "update-firmware-locally")?.allowed == true)
    }

    @Test func theWarningSaysWhatIsDeniedAndWhy() throws {
        let result = Self.evaluate(.os11, Self.packs, Self.unreadable)
        let warning = try #require(result.warnings.first { $0.code == .osVersionUnknown })
        #expect(warning.product == nil)
        #expect(warning.message.contains("VERSION_ID \"11 beta\" is not a version number"))
        #expect(warning.message.contains("powerterm, smartcard-90meter and pcoip-teradici"), "\(warning.message)")
        #expect(warning.message.contains("/etc/os-release"))
    }

    /// The EMP suppression key has a version window too: on an unreadable version it is ignored.
    @Test func theSuppressionKeyIsIgnored() {
        let expiring = Fixture.license("EMP", starts: "2025-12-10", expires: "2026-12-09")
        let result = Self.evaluate(.os11, [Self.we, expiring], Self.unreadable, empNotifications: false)
        #expect(result.warnings.contains { $0.product == "EMP" })
        let read = Self.evaluate(.os11, [Self.we, expiring], .read(OSVersion("11.08.100.DER")!), empNotifications: false)
        #expect(!read.warnings.contains { $0.product == "EMP" })
    }

    /// A suffix never escapes a window: the numbers are compared.
    @Test func aSuffixedReleaseIsOutsideTheTeradiciWindow() {
        let result = Self.evaluate(.os11, Self.packs, .read(OSVersion("11.08.100.DER")!))
        #expect(result.decision(for: "pcoip-teradici")?.allowed == false)
        #expect(result.decision(for: "pcoip-teradici")?.reason
            == "pcoip-teradici exists on IGEL OS 11.01.110 to 11.06.x only; this device runs 11.08.100.DER")
        #expect(result.decision(for: "powerterm")?.allowed == true)
        #expect(!result.warnings.contains { $0.code == .osVersionUnknown })
    }

    /// OS 12 has nothing limited by version: no warning, nothing denied for it.
    @Test func os12IgnoresAnUnreadableVersion() {
        let result = Self.evaluate(.os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-10-31")],
                                   .unreadable(detail: "os-release has no VERSION_ID"))
        #expect(result.warnings.isEmpty)
        #expect(result.features.filter { !$0.allowed }.isEmpty)
    }

    /// In-process callers that state no version keep the old meaning: no window applied.
    @Test func anUnstatedVersionAppliesNoWindow() {
        let result = Self.evaluate(.os11, Self.packs, .unstated)
        #expect(result.decision(for: "pcoip-teradici")?.allowed == true)
        #expect(result.warnings.isEmpty)
        #expect(result.version == nil)
    }
}
