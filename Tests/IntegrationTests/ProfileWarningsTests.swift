import Foundation
import Testing
import TestSupport

/// A removal profile that may not run is the administrator's to fix, not a failure of the
/// boot check (CLI.md "The boot check never leaves the device without an answer", PROFILES.md):
/// two assigned or one that does not parse is `profile-refused`, one assigned after an expired
/// PAS froze the configuration is `profile-frozen`; both in `state.json` and in `status`, the
/// licenses untouched, and `check` exits by the licensed state. The built binary.
@Suite struct ProfileWarningsTests {
    static let empProfile = "RemoveAllEnterpriseManagementPackLicenses"

    static func shippedProfile(_ name: String) throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Profiles/\(name).profile").path
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func assign(_ device: DeviceTree, _ name: String, text: String? = nil) throws {
        try device.directory.write("wfs/license-profiles/\(name).profile", try text ?? shippedProfile(name))
    }

    static func warningCodes(_ json: [String: Any]) -> [String] {
        (json["warnings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    static func profileState(_ json: [String: Any]) -> String? {
        (json["removalProfile"] as? [String: Any])?["state"] as? String
    }

    static func errors(_ json: [String: Any]) -> [[String: Any]] { json["errors"] as? [[String: Any]] ?? [] }

    // MARK: profile-refused

    @Test func twoAssignedProfilesAreAWarningAndCheckExitsByTheLicensedState() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        try device.installLicense("EMP.lic", product: "EMP")
        try Self.assign(device, Self.empProfile)
        try Self.assign(device, "RemoveAllLocalLicenses")

        let check = try device.agent(["check", "--json"])
        #expect(check.status == 0, "licensed: \(check)")
        let state = try device.publishedState()
        #expect(Self.warningCodes(state).contains("profile-refused"), "\(state)")
        #expect(Self.errors(state).isEmpty, "\(state)")
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic"])

        let status = try device.agent(["status", "--json"])
        #expect(status.status == 0, "\(status)")
        #expect(Self.warningCodes(try status.json()).contains("profile-refused"), "status warns too: \(status)")
        #expect(Self.profileState(try status.json()) == "refused")
    }

    @Test func refusedOnAnUnlicensedDeviceExitsTwo() throws {
        let device = try DeviceTree()
        try device.directory.write("wfs/license-profiles/Broken.profile", "name: Broken\ndescription: b\nselektor: all\n")
        let check = try device.agent(["check"])
        #expect(check.status == 2, "unlicensed, not an error: \(check)")
        let state = try device.publishedState()
        #expect(Self.warningCodes(state).contains("profile-refused"), "\(state)")
        #expect(Self.errors(state).isEmpty, "\(state)")
        let status = try device.agent(["status", "--json"])
        #expect(status.status == 2)
        #expect(Self.warningCodes(try status.json()).contains("profile-refused"), "\(status)")
    }

    /// A profile that is not a regular file cannot be read: an error for that file (exit 1,
    /// `errors[]` names it), not a refusal and never a silence; nothing is removed.
    @Test func aProfileThatIsASymlinkIsAnError() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let target = try device.directory.write("elsewhere.profile", try Self.shippedProfile("RemoveAllLocalLicenses"))
        _ = try device.directory.makeDirectory("wfs/license-profiles")
        let link = device.directory.appending("wfs/license-profiles/RemoveAllLocalLicenses.profile")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let check = try device.agent(["check"])
        #expect(check.status == 1, "\(check)")
        let state = try device.publishedState()
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.errors(state).contains { $0["path"] as? String == link }, "\(state)")
        #expect(try device.installedNames() == ["PAS.lic"])
        let run = try device.agent(["profiles", "run"])
        #expect(run.status == 1, "\(run)")
        #expect(try device.installedNames() == ["PAS.lic"])
    }

    // MARK: profile-frozen

    /// A device with a PAS whose last day is 2026-12-31 and an EMP license, checked while the
    /// PAS was active and frozen by the check of 2027-01-02.
    static func frozenDevice(assignBefore: Bool = false) throws -> DeviceTree {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.installLicense("EMP.lic", product: "EMP", starts: "2026-01-01", expires: "2030-12-31")
        try device.directory.write("wfs/group.ini", "userinterface.theme=dark\n")
        if assignBefore { try assign(device, empProfile) }
        #expect(try device.agent(["check"], at: "2026-12-20 10:00:00").status == 0)
        #expect(try device.agent(["check"], at: "2027-01-02 10:00:00").status == 0)
        return device
    }

    func importEMP(_ device: DeviceTree, at time: String) throws {
        let emp = try device.candidate("EMP.lic", device.sign(DeviceTree.document(
            product: "EMP", starts: "2026-01-01", expires: "2030-12-31")))
        let imported = try device.agent(["import", emp], at: time)
        #expect(imported.status == 0, "\(imported)")
    }

    @Test func aProfileAssignedAfterTheFreezeDoesNotRun() throws {
        let device = try Self.frozenDevice()
        try Self.assign(device, Self.empProfile)

        let check = try device.agent(["check", "--json"], at: "2027-01-03 10:00:00")
        #expect(check.status == 0, "\(check)")
        let state = try device.publishedState()
        #expect(Self.warningCodes(state).contains("profile-frozen"), "\(state)")
        #expect(Self.errors(state).isEmpty, "\(state)")
        #expect(Self.profileState(state) == "frozen", "\(state)")
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic"])

        let status = try device.agent(["status", "--json"], at: "2027-01-03 10:01:00")
        #expect(status.status == 0)
        #expect(Self.warningCodes(try status.json()).contains("profile-frozen"), "\(status)")

        let run = try device.agent(["profiles", "run", "--json"], at: "2027-01-03 10:02:00")
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("frozen"), "\(run)")
        #expect(try run.json()["outcome"] as? String == "refused")
        #expect(try run.json()["code"] as? String == "profile-frozen")
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic"])
    }

    /// Assigned before the freeze: it runs at every start, also while frozen. The same name
    /// with other contents after the freeze is a new assignment, and is frozen.
    @Test func aProfileAssignedBeforeTheFreezeRunsAsUsualUntilItIsEdited() throws {
        let device = try Self.frozenDevice(assignBefore: true)
        #expect(try device.installedNames() == ["PAS.lic"], "ran while the PAS was active")
        try importEMP(device, at: "2027-01-02 11:00:00")
        let check = try device.agent(["check"], at: "2027-01-03 10:00:00")
        #expect(check.status == 0, "\(check)")
        #expect(try device.installedNames() == ["PAS.lic"], "ran again while frozen")
        #expect(!Self.warningCodes(try device.publishedState()).contains("profile-frozen"))

        try importEMP(device, at: "2027-01-03 11:00:00")
        try Self.assign(device, Self.empProfile, text: "name: \(Self.empProfile)\ndescription: edited\nselector: all\n")
        let edited = try device.agent(["check"], at: "2027-01-04 10:00:00")
        #expect(edited.status == 0, "\(edited)")
        #expect(Self.warningCodes(try device.publishedState()).contains("profile-frozen"))
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic"])
    }

    /// A renewal lifts the freeze: `profiles run` lets the profile run at once, and `check` thaws.
    @Test func aRenewalLetsTheProfileRun() throws {
        let device = try Self.frozenDevice()
        try Self.assign(device, Self.empProfile)
        #expect(try device.agent(["check"], at: "2027-01-03 10:00:00").status == 0)
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic"])

        let renewal = try device.candidate("PAS-renewal.lic", device.sign(DeviceTree.document(
            product: "PAS", starts: "2027-01-01", expires: "2027-12-31")))
        #expect(try device.agent(["import", renewal], at: "2027-01-04 09:00:00").status == 0)
        let run = try device.agent(["profiles", "run"], at: "2027-01-04 09:01:00")
        #expect(run.status == 0, "\(run)")
        #expect(try device.installedNames() == ["PAS-renewal.lic", "PAS.lic"])

        try importEMP(device, at: "2027-01-04 09:02:00")
        let check = try device.agent(["check", "--json"], at: "2027-01-04 09:03:00")
        #expect(check.status == 0, "\(check)")
        let state = try device.publishedState()
        #expect((state["configuration"] as? [String: Any])?["frozen"] as? Bool == false)
        #expect(!Self.warningCodes(state).contains("profile-frozen"), "\(state)")
        #expect(try device.installedNames() == ["PAS-renewal.lic", "PAS.lic"], "the check ran it, then thawed")
    }
}
