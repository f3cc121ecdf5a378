import Foundation
import Testing
import TestSupport

/// `features`, `allows` and `may-update` as scripts call them: the built binary on a fake
/// device tree, the fixture NIC under umockdev, the clock set with `faketime`.
@Suite struct EntitlementCommandTests {
    @Test func featuresListsEveryNameWithTheReasonForDenied() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2025-11-01", expires: "2026-10-31")
        let result = try device.agent(["features", "--json"], at: "2026-11-29 12:00:00")
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["osGeneration"] as? Int == 12)
        #expect(json["licensed"] as? Bool == true)
        let features = try #require(json["features"] as? [String: Bool])
        #expect(features.count == 15)
        #expect(features["connect-ums"] == true && features["connect-icg"] == false)
        let decisions = try #require(json["decisions"] as? [[String: Any]])
        let config = try #require(decisions.first { $0["feature"] as? String == "config-changes" })
        #expect(config["reason"] as? String == "PAS expired on 2026-10-31: configuration is frozen")
        let human = try device.agent(["features"], at: "2026-11-29 12:00:00")
        #expect(human.status == 0)
        #expect(human.stdout.contains("denied   connect-icg"))
        #expect(human.stdout.contains("PAS expired on 2026-10-31"))
    }

    @Test func allowsAnswersWithExitCodes() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2025-11-01", expires: "2026-10-31")
        let allowed = try device.agent(["allows", "shadow"], at: "2026-11-29 12:00:00")
        #expect(allowed.status == 0, "\(allowed)")
        let denied = try device.agent(["allows", "connect-icg"], at: "2026-11-29 12:00:00")
        #expect(denied.status == 2, "\(denied)")
        #expect(denied.stderr.contains("connect-icg is not allowed: PAS expired on 2026-10-31"))
        let json = try device.agent(["allows", "connect-icg", "--json"], at: "2026-11-29 12:00:00")
        #expect(json.status == 2)
        #expect(try json.json()["allowed"] as? Bool == false)
        let unknown = try device.agent(["allows", "teleport"], at: "2026-11-29 12:00:00")
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.stderr.contains("license-agent features"))
        // Setting the clock back to the last day of the PAS does not bring the feature back:
        // trusted time never goes below the agent's build date (2026-11-01).
        #expect(try device.agent(["allows", "connect-icg"], at: "2026-10-31 23:00:00").status == 2)
    }

    @Test func unlicensedDeviceAllowsOnlyTheUnlicensedSet() throws {
        let device = try DeviceTree()
        let result = try device.agent(["features", "--json"], at: "2026-11-29 12:00:00")
        let features = try #require(try result.json()["features"] as? [String: Bool])
        #expect(features.filter(\.value).keys.sorted() == ["connect-ums", "deploy-license", "onboarding-service"])
        #expect(try result.json()["unlicensedReason"] as? String == "no PAS license")
    }

    /// The source's example: maintenance expired 2022-08-01.
    @Test func mayUpdateFollowsTheSourceExample() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try device.installLicense("WE.lic", product: "WE", model: "perpetual", starts: "2021-08-02", expires: "2022-08-01")
        let before = try device.agent(["may-update", "--release-date", "2022-03-29"], at: "2026-11-29 12:00:00")
        #expect(before.status == 0, "\(before)")
        let after = try device.agent(["may-update", "--release-date", "2022-08-19"], at: "2026-11-29 12:00:00")
        #expect(after.status == 2, "\(after)")
        #expect(after.stderr.contains("2022-08-01"))
        let json = try device.agent(["may-update", "--release-date", "2022-08-19", "--json"], at: "2026-11-29 12:00:00")
        #expect(try json.json()["allowed"] as? Bool == false)
        #expect(try json.json()["feature"] as? String == "update-firmware-locally")
        let badDate = try device.agent(["may-update", "--release-date", "19.08.2022"], at: "2026-11-29 12:00:00")
        #expect(badDate.status == 64, "\(badDate)")
    }

    @Test func mayUpdateOnOS12WithExpiredPASRefuses() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2025-11-01", expires: "2026-10-31")
        let result = try device.agent(["may-update", "--release-date", "2026-01-01", "--kind", "app"], at: "2026-11-29 12:00:00")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("PAS expired on 2026-10-31"))
        try device.installLicense("PAS-renewal.lic", product: "PAS", starts: "2026-11-01", expires: "2027-10-31")
        #expect(try device.agent(["may-update", "--release-date", "2026-11-20"], at: "2026-11-29 12:00:00").status == 0)
    }
}
