import Foundation
import Testing
import TestSupport

/// The amended rules of issue 11 as scripts meet them: the built binary on a fake device whose
/// `/etc/os-release` names the full version, the clock set with `faketime`.
@Suite struct AmendedRulesTests {
    /// (feature, VERSION_ID, allowed) at each edge of the OS 11 windows, with every pack installed.
    static let edges: [(String, String, Bool)] = [
        ("pcoip-teradici", "11.01.109", false), ("pcoip-teradici", "11.01.110", true),
        ("pcoip-teradici", "11.06.120", true), ("pcoip-teradici", "11.07.100", false),
        ("powerterm", "11.02.099", false), ("powerterm", "11.02.100", true),
        ("smartcard-90meter", "11.01.109", false), ("smartcard-90meter", "11.01.110", true),
    ]

    @Test(arguments: 0..<edges.count)
    func osReleaseVersionAcrossEachWindowEdge(index: Int) throws {
        let (feature, version, allowed) = Self.edges[index]
        let device = try DeviceTree(osVersion: version)
        try device.installLicense("WE.lic", product: "WE", model: "perpetual")
        try device.installLicense("TER.lic", product: "TER")
        try device.installLicense("PWT.lic", product: "PWT", model: "perpetual")
        try device.installLicense("90M.lic", product: "90M", model: "perpetual")
        let result = try device.agent(["allows", feature], at: "2026-11-29 12:00:00")
        #expect(result.status == (allowed ? 0 : 2), "\(feature) on \(version): \(result)")
        if !allowed {
            #expect(result.stderr.contains("this device runs \(version)"), "\(result.stderr)")
        }
    }

    @Test func os11HasNoOnboardingService() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        let features = try device.agent(["features", "--json"], at: "2026-11-29 12:00:00")
        let map = try #require(try features.json()["features"] as? [String: Bool])
        #expect(map["onboarding-service"] == nil)
        #expect(map.filter(\.value).keys.sorted() == ["connect-ums", "deploy-license"])
        let onboarding = try device.agent(["allows", "onboarding-service"], at: "2026-11-29 12:00:00")
        #expect(onboarding.status == 64, "not a feature of IGEL OS 11: \(onboarding)")
    }

    /// The 90-day demo on OS 11: everything while it runs, the unlicensed set after day 90.
    @Test func theNinetyDayDemoEnds() throws {
        let device = try DeviceTree(osVersion: "11.05.100")
        try device.installLicense("WE-E-evaluation.lic", product: "WE-E", model: "evaluation",
                                  starts: "2026-12-01", expires: "2027-02-28")
        for feature in ["update-firmware-locally", "custom-partition", "shared-workplace", "connect-icg", "ait", "pcoip-teradici"] {
            let result = try device.agent(["allows", feature], at: "2027-01-15 12:00:00")
            #expect(result.status == 0, "\(feature) during the demo: \(result)")
        }
        let ended = try device.agent(["status", "--json"], at: "2027-03-01 12:00:00")
        #expect(ended.status == 2, "\(ended)")
        let json = try ended.json()
        #expect(json["licensed"] as? Bool == false)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.contains { ($0["message"] as? String)?.contains("WE-E evaluation ended on 2027-02-28") == true })
    }

    /// OS 12: an ended evaluation PAS leaves the device unlicensed, and `check` does not freeze.
    @Test func anEndedEvaluationPASDoesNotFreeze() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS-evaluation.lic", product: "PAS", model: "evaluation",
                                  starts: "2026-12-01", expires: "2027-02-28")
        try device.directory.write("wfs/group.ini", "userinterface.theme=dark\n")
        let check = try device.agent(["check", "--json"], at: "2027-03-05 12:00:00")
        #expect(check.status == 2, "unlicensed: \(check)")
        let json = try check.json()
        #expect((json["configuration"] as? [String: Any])?["frozen"] as? Bool == false)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        let ended = try #require(warnings.first { $0["product"] as? String == "PAS" })
        #expect((ended["message"] as? String)?.contains("PAS evaluation ended on 2027-02-28") == true)
        #expect((ended["message"] as? String)?.contains("subscription") == false)
        let features = try #require(json["features"] as? [String: Bool])
        #expect(features.filter(\.value).keys.sorted() == ["connect-ums", "deploy-license", "onboarding-service"])
    }

    @Test func upgradingToOS12NeedsActiveMaintenance() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try device.installLicense("WE.lic", product: "WE", model: "perpetual", starts: "2021-08-02", expires: "2022-08-01")
        let refused = try device.agent(["may-update", "--release-date", "2022-03-29", "--version", "12.5.1"],
                                       at: "2026-11-29 12:00:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("needs active maintenance"), "\(refused.stderr)")
        #expect(refused.stderr.contains("whatever") || refused.stderr.contains("release date does not matter"))
        let sameGeneration = try device.agent(["may-update", "--release-date", "2022-03-29", "--version", "11.07.100"],
                                              at: "2026-11-29 12:00:00")
        #expect(sameGeneration.status == 0, "\(sameGeneration)")
        try device.installLicense("WE-renewal.lic", product: "WE", model: "perpetual", starts: "2026-01-01", expires: "2027-12-31")
        let json = try device.agent(["may-update", "--release-date", "2026-11-01", "--version", "12.5.1", "--json"],
                                    at: "2026-11-29 12:00:00")
        #expect(json.status == 0, "\(json)")
        #expect(try json.json()["version"] as? String == "12.5.1")
        let bad = try device.agent(["may-update", "--release-date", "2026-11-01", "--version", "twelve"], at: "2026-11-29 12:00:00")
        #expect(bad.status == 64, "\(bad)")
    }

    /// OS 12 forbids older releases after expiry: the advice must not suggest one.
    @Test func os12RefusalDoesNotAdviseAnOlderRelease() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2025-11-01", expires: "2026-10-31")
        let result = try device.agent(["may-update", "--release-date", "2026-01-01"], at: "2026-11-29 12:00:00")
        #expect(result.status == 2, "\(result)")
        #expect(!result.stderr.contains("older release"), "\(result.stderr)")
        #expect(result.stderr.contains("Import a license that grants update-os-locally"), "\(result.stderr)")
    }

    /// NIC replaced: the warning survives `check` until `unit-id --accept` or a license for the new unit.
    @Test func unitChangedStaysUntilAcceptedOrLicensed() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS-OLD.lic", product: "PAS", units: ["001122334455"])
        try device.directory.write("wfs/license-agent/state.json",
                                   #"{"schemaVersion":1,"unitId":"001122334455","trustedTimeMark":"2026-11-29T08:00:00Z"}"#)
        for _ in 0..<2 {
            let check = try device.agent(["check", "--json"])
            let warning = try #require((try check.json()["warnings"] as? [[String: Any]])?.first { $0["code"] as? String == "unit-changed" })
            #expect((warning["message"] as? String)?.contains("1 installed license is bound to 001122334455") == true)
        }
        let statePath = device.directory.appending("wfs/license-agent/state.json")
        let remembered = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any])
        #expect(remembered["unitId"] as? String == "001122334455", "check did not forget the old unit: \(remembered)")

        let accepted = try device.agent(["unit-id", "--accept", "--json"])
        #expect(accepted.status == 0, "\(accepted)")
        #expect(try accepted.json()["unitId"] as? String == DeviceTree.fixtureUnit)
        #expect(try accepted.json()["previous"] as? String == "001122334455")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any])
        #expect(state["unitId"] as? String == DeviceTree.fixtureUnit)
        #expect(state["trustedTimeMark"] as? String == remembered["trustedTimeMark"] as? String, "the trusted-time mark is kept")
        let status = try device.agent(["status", "--json"]).json()
        #expect(!((status["warnings"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == "unit-changed" })
        let audit = try String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)
        #expect(audit.contains("\"action\":\"unit-id-accept\""))
    }

    @Test func aLicenseForTheNewUnitEndsTheWarning() throws {
        let device = try DeviceTree()
        try device.directory.write("wfs/license-agent/state.json", #"{"schemaVersion":1,"unitId":"001122334455"}"#)
        #expect(try device.agent(["check"]).stdout.contains("unit-changed"))
        let renewal = try device.candidate("PAS.lic", device.sign(DeviceTree.document(product: "PAS")))
        #expect(try device.agent(["import", renewal]).status == 0)
        let status = try device.agent(["status"])
        #expect(!status.stdout.contains("unit-changed"), "\(status.stdout)")
        #expect(try device.agent(["check"]).status == 0)
        let state = try String(contentsOfFile: device.directory.appending("wfs/license-agent/state.json"), encoding: .utf8)
        #expect(state.contains(DeviceTree.fixtureUnit), "\(state)")
    }
}
