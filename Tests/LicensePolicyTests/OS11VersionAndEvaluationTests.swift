import LicensePolicy
import Testing

/// The amended rules of ENTITLEMENTS.md: OS 11 version windows at each edge, the 90-day demo
/// (`WE-E`) granting what WE, EMP and TER grant, evaluations that end, the AIT pack, and the
/// EMP-warning switch that exists from 11.06.
@Suite struct OS11VersionAndEvaluationTests {
    static let today = "2026-11-29"

    static func evaluate(_ generation: OSGeneration, _ licenses: [LicenseDocument], version: String?,
                         empNotifications: Bool = true) -> Entitlements {
        let products = ProductStatus.summarize(licenses, on: Fixture.day(today))
        return Entitlements.evaluate(generation: generation, version: version.flatMap(OSVersion.init),
                                     products: products, today: Fixture.day(today),
                                     empNotificationsEnabled: empNotifications)
    }

    static let we = Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-10-31")
    static let activeDemo = Fixture.license("WE-E", .evaluation, starts: "2026-10-01", expires: "2026-12-29")
    static let endedDemo = Fixture.license("WE-E", .evaluation, starts: "2026-07-01", expires: "2026-09-28")

    /// (feature, granting pack, version, allowed) across each window edge.
    static let edges: [(String, String, String, Bool)] = [
        ("pcoip-teradici", "TER", "11.01.109", false), ("pcoip-teradici", "TER", "11.01.110", true),
        ("pcoip-teradici", "TER", "11.06.999", true), ("pcoip-teradici", "TER", "11.07.100", false),
        ("powerterm", "PWT", "11.02.099", false), ("powerterm", "PWT", "11.02.100", true),
        ("powerterm", "PWT", "11.08.100", true),
        ("smartcard-90meter", "90M", "11.01.109", false), ("smartcard-90meter", "90M", "11.01.110", true),
        ("smartcard-90meter", "90M", "11.08.100", true),
    ]

    @Test(arguments: 0..<edges.count)
    func versionWindowEdge(index: Int) throws {
        let (feature, pack, version, allowed) = Self.edges[index]
        let model: LicenseDocument.Model = pack == "TER" ? .subscription : .perpetual
        let result = Self.evaluate(.os11, [Self.we, Fixture.license(pack, model, starts: "2026-01-01", expires: "2027-10-31")],
                                   version: version)
        let decision = try #require(result.decision(for: feature))
        #expect(decision.allowed == allowed, "\(feature) on \(version)")
        if !allowed {
            #expect(decision.reason?.contains("this device runs \(version)") == true, "\(decision.reason ?? "")")
            #expect(decision.reason?.hasPrefix("\(feature) exists on IGEL OS ") == true)
        }
    }

    @Test func unknownVersionAppliesNoWindow() {
        let result = Self.evaluate(.os11, [Self.we, Fixture.license("TER", starts: "2026-01-01", expires: "2027-10-31")],
                                   version: nil)
        #expect(result.decision(for: "pcoip-teradici")?.allowed == true)
    }

    @Test func outsideItsWindowAPackIsDeniedEvenWithoutALicenseForIt() {
        let result = Self.evaluate(.os11, [Self.we], version: "11.08.100")
        #expect(result.decision(for: "pcoip-teradici")?.reason
                    == "pcoip-teradici exists on IGEL OS 11.01.110 to 11.06.x only; this device runs 11.08.100")
        #expect(result.decision(for: "powerterm")?.reason == "no PWT license")
    }

    /// "A demo license provides … WE, EMP, PCoIP client by Teradici": everything they grant.
    @Test func activeDemoGrantsWhatWorkspaceEditionEMPAndTeradiciGrant() {
        let demo = Self.evaluate(.os11, [Self.activeDemo], version: "11.05.100")
        #expect(demo.licensed)
        let granted = ["use-os", "update-firmware-locally", "trigger-firmware-update", "custom-partition",
                       "shared-workplace", "connect-icg", "shadow-via-icg", "config-via-icg", "ait", "pcoip-teradici",
                       "config-changes", "imi"]
        for feature in granted {
            #expect(demo.decision(for: feature)?.allowed == true, "\(feature)")
            #expect(demo.decision(for: feature)?.releasedBefore == nil, "\(feature) without a release limit")
        }
        #expect(demo.decision(for: "powerterm")?.allowed == false, "PowerTerm is not in the demo")
        #expect(demo.decision(for: "smartcard-90meter")?.allowed == false)
        let newer = Self.evaluate(.os11, [Self.activeDemo], version: "11.08.100")
        #expect(newer.decision(for: "pcoip-teradici")?.allowed == false, "TER through WE-E keeps TER's window")
    }

    @Test func endedDemoLeavesTheUnlicensedSetOnly() {
        let ended = Self.evaluate(.os11, [Self.endedDemo], version: "11.05.100")
        #expect(!ended.licensed)
        #expect(ended.unlicensedReason == "WE-E evaluation ended on 2026-09-28")
        #expect(ended.features.filter(\.allowed).map(\.feature) == ["connect-ums", "deploy-license"])
    }

    /// An ended demo beside a WE whose maintenance ended earlier does not extend the release limit.
    @Test func endedDemoGrantsNothingBesideAWorkspaceEdition() {
        let oldWE = Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01")
        let result = Self.evaluate(.os11, [oldWE, Self.endedDemo], version: "11.05.100")
        #expect(result.licensed)
        let update = result.decision(for: "update-firmware-locally")
        #expect(update?.allowed == true)
        #expect(update?.releasedBefore == Fixture.day("2022-08-01"))
        #expect(result.decision(for: "shared-workplace")?.allowed == false)
        #expect(result.decision(for: "shared-workplace")?.reason == "WE-E evaluation ended on 2026-09-28")
    }

    /// OS 12: an expired evaluation PAS gives no reduced rights; the warning says it ended.
    @Test func endedEvaluationPASLeavesOS12Unlicensed() throws {
        let ended = Self.evaluate(.os12, [Fixture.license("PAS", .evaluation, starts: "2026-08-01", expires: "2026-10-29")],
                                  version: "12.5.1")
        #expect(!ended.licensed)
        #expect(ended.unlicensedReason == "PAS evaluation ended on 2026-10-29")
        #expect(ended.features.filter(\.allowed).map(\.feature) == ["connect-ums", "deploy-license", "onboarding-service"])
        #expect(ended.decision(for: "use-installed-apps")?.allowed == false, "an expired subscription PAS would keep it")
        let warning = try #require(ended.warnings.first)
        #expect(warning.code == .expired)
        #expect(warning.message.contains("evaluation ended on 2026-10-29"))
        #expect(!warning.message.contains("subscription"))
        let active = Self.evaluate(.os12, [Fixture.license("PAS", .evaluation, starts: "2026-11-01", expires: "2027-01-29")],
                                   version: "12.5.1")
        #expect(active.licensed)
        #expect(active.features.filter { !$0.allowed }.isEmpty, "an active evaluation PAS grants what an active PAS grants")
    }

    @Test func aitPackGrantsAIT() {
        let result = Self.evaluate(.os11, [Self.we, Fixture.license("AIT", starts: "2026-01-01", expires: "2027-10-31")],
                                   version: "11.08.100")
        #expect(result.decision(for: "ait")?.allowed == true)
        #expect(result.decision(for: "shared-workplace")?.allowed == false, "AIT grants ait only")
        let imi = Self.evaluate(.os11, [Self.we, Fixture.license("IMI", starts: "2026-01-01", expires: "2027-10-31")],
                                version: "11.08.100")
        #expect(imi.decision(for: "imi")?.allowed == true)
    }

    /// The suppression key exists from 11.06; before, it is ignored. OS 12 always honours it.
    @Test(arguments: [("11.05.133", true), ("11.06", false), ("11.06.100", false), ("11.08.100", false)])
    func empWarningKeyFrom1106(version: String, warns: Bool) {
        let expiring = Fixture.license("EMP", starts: "2025-12-10", expires: "2026-12-09")
        let result = Self.evaluate(.os11, [Self.we, expiring], version: version, empNotifications: false)
        #expect(result.warnings.contains { $0.product == "EMP" } == warns, "\(version)")
        let os12 = Self.evaluate(.os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-10-31"), expiring],
                                 version: "12.5.1", empNotifications: false)
        #expect(!os12.warnings.contains { $0.product == "EMP" })
    }

    @Test func baseLicenseCurrentOnlyWithMoreThanThirtyDaysLeft() {
        #expect(Self.evaluate(.os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2027-10-31")], version: nil)
            .baseLicenseCurrent)
        #expect(!Self.evaluate(.os12, [Fixture.license("PAS", starts: "2026-01-01", expires: "2026-12-20")], version: nil)
            .baseLicenseCurrent, "expiring")
        #expect(!Self.evaluate(.os12, [Fixture.license("PAS", starts: "2025-01-01", expires: "2026-01-20")], version: nil)
            .baseLicenseCurrent, "expired")
        #expect(!Self.evaluate(.os12, [Fixture.license("EMP", starts: "2026-01-01", expires: "2027-10-31")], version: nil)
            .baseLicenseCurrent, "unlicensed")
        #expect(Self.evaluate(.os11, [Self.we], version: nil).baseLicenseCurrent)
        #expect(!Self.evaluate(.os11, [Fixture.license("WE", .perpetual, starts: "2021-01-01", expires: "2022-01-01")],
                               version: nil).baseLicenseCurrent, "maintenance ended")
    }
}
