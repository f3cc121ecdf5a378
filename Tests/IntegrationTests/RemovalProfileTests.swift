import Foundation
import LicenseAgent
import Testing
import TestSupport

/// Removal profiles and `remove`, run as an administrator would: the built `license-agent`
/// with `--root` on a fake device holding licenses signed at test time by a real openssl PKI.
@Suite struct RemovalProfileTests {
    /// Every product of the specification, with the model its licenses usually have.
    static let products: [(file: String, product: String, model: String)] = [
        ("PAS.lic", "PAS", "subscription"), ("WE.lic", "WE", "perpetual"), ("WE-E.lic", "WE-E", "evaluation"),
        ("EMP.lic", "EMP", "subscription"), ("PWT.lic", "PWT", "perpetual"), ("90M.lic", "90M", "perpetual"),
        ("TER.lic", "TER", "subscription"),
    ]

    /// The shipped profiles and the license files each must remove from `fullDevice()`.
    static let shippedExpectations: [String: Set<String>] = [
        "RemoveAllLocalLicenses": Set(products.map(\.file)),
        "RemoveAllEvaluationLicenses": ["WE-E.lic"],
        "RemoveAllEnterpriseManagementPackLicenses": ["EMP.lic"],
        "RemoveAllWorkspaceEditionLicenses": ["WE.lic"],
        "RemoveAllAddonEricomPowerTermLicenses": ["PWT.lic"],
        "RemoveAllAddon90meterLicenses": ["90M.lic"],
        "RemoveAllAddonTeradiciLicenses": ["TER.lic"],
    ]

    /// `Profiles/` of this repository.
    static var profilesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Profiles").path
    }

    /// A device with one license of every product (license id = product code) and a request file.
    func fullDevice() throws -> DeviceTree {
        let device = try DeviceTree()
        for entry in Self.products {
            try device.installLicense(entry.file, product: entry.product, model: entry.model, licenseId: "id-\(entry.product)")
        }
        try device.directory.write("license/fetch.req", "{\"unitId\":\"00E0C51C5087\"}")
        return device
    }

    /// `license-agent ARGS… --root ROOT`, directly or under umockdev with the fixture NIC.
    func agent(_ device: DeviceTree, _ arguments: [String], umockdev: Bool = false,
               environment: [String: String] = [:]) throws -> ProcessResult {
        var command = [Umockdev.agent] + arguments + ["--root", device.root]
        if umockdev { command = ["umockdev-run", "-d", try Umockdev.fixture("device"), "--"] + command }
        return try ProcessRunner.run(command, environment: environment)
    }

    func assign(_ device: DeviceTree, shipped name: String) throws {
        let text = try String(contentsOfFile: Self.profilesDirectory + "/\(name).profile", encoding: .utf8)
        try device.directory.write("wfs/license-profiles/\(name).profile", text)
    }

    func partitionNames(_ device: DeviceTree) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("license")))
    }

    /// The audit log's lines, parsed.
    func auditLines(_ device: DeviceTree) throws -> [[String: Any]] {
        let path = device.directory.appending("wfs/license-agent/audit.log")
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: shippedExpectations.keys.sorted())
    func shippedProfileRemovesExactlyItsLicenses(name: String) throws {
        let device = try fullDevice()
        try assign(device, shipped: name)
        let expected = try #require(Self.shippedExpectations[name])

        let result = try agent(device, ["profiles", "run", "--json"])
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["outcome"] as? String == "ran")
        #expect((json["profile"] as? [String: Any])?["name"] as? String == name)
        let removal = try #require(json["removal"] as? [String: Any])
        let removed = (removal["licenses"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        #expect(Set(removed) == expected)
        let ids = (removal["licenses"] as? [[String: Any]] ?? []).compactMap { $0["licenseId"] as? String }
        #expect(Set(ids) == Set(expected.map { "id-" + $0.dropLast(4) }))

        let remaining = Set(try device.installedNames())
        #expect(remaining == Set(Self.products.map(\.file)).subtracting(expected))
        #expect(try partitionNames(device).contains("fetch.req") == (name != "RemoveAllLocalLicenses"))

        // It stays assigned, so it runs again at the next start and finds nothing more.
        let again = try agent(device, ["profiles", "run", "--json"])
        #expect(again.status == 0, "\(again)")
        #expect(((try again.json()["removal"] as? [String: Any])?["licenses"] as? [Any])?.isEmpty == true)
        #expect(Set(try device.installedNames()) == remaining)
    }

    @Test func allRemovesCorruptFilesAndEveryRequestFile() throws {
        let device = try DeviceTree()
        let id = try device.installLicense("EMP.lic", product: "EMP")
        try device.install("corrupt.lic", Data("not a license".utf8))
        try device.install("notes.txt", Data("kept: not a license file".utf8))
        try device.directory.write("license/fetch.req", "{}")
        try device.directory.write("license/fetch-old.req", "{}")

        let result = try agent(device, ["remove", "--all", "--json"])
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["selector"] as? String == "all")
        #expect(json["dryRun"] as? Bool == false)
        let licenses = json["licenses"] as? [[String: Any]] ?? []
        #expect(Set(licenses.compactMap { $0["file"] as? String }) == ["EMP.lic", "corrupt.lic"])
        #expect(licenses.first { $0["file"] as? String == "corrupt.lic" }?["licenseId"] is NSNull)
        #expect(licenses.first { $0["file"] as? String == "EMP.lic" }?["licenseId"] as? String == id)
        #expect(Set(json["requestFiles"] as? [String] ?? []) == ["fetch.req", "fetch-old.req"])
        #expect(try device.installedNames() == ["notes.txt"])
        #expect(try partitionNames(device) == ["dsa"])
    }

    @Test func productSelectorLeavesUnverifiableFilesAlone() throws {
        let device = try DeviceTree()
        try device.installLicense("EMP.lic", product: "EMP", licenseId: "emp-good")
        try device.install("corrupt.lic", Data("EMP, honestly".utf8))
        // A real EMP document, but signed by a root the device does not trust.
        try device.install("EMP-outsider.lic", device.sign(DeviceTree.document(product: "EMP"), signer: .outsider))
        try device.directory.write("license/fetch.req", "{}")

        let result = try agent(device, ["remove", "--product", "EMP"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("removed EMP.lic (license emp-good)"), "\(result)")
        #expect(try device.installedNames() == ["EMP-outsider.lic", "corrupt.lic"])
        #expect(try partitionNames(device).contains("fetch.req"))
    }

    @Test func twoAssignedProfilesRemoveNothing() throws {
        let device = try fullDevice()
        try assign(device, shipped: "RemoveAllLocalLicenses")
        try assign(device, shipped: "RemoveAllEnterpriseManagementPackLicenses")

        let result = try agent(device, ["profiles", "run"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("RemoveAllLocalLicenses.profile"), "\(result)")
        #expect(result.stderr.contains("RemoveAllEnterpriseManagementPackLicenses.profile"), "\(result)")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
        #expect(try partitionNames(device).contains("fetch.req"))

        let json = try agent(device, ["profiles", "run", "--json"])
        #expect(json.status == 2)
        #expect(try json.json()["outcome"] as? String == "refused")
        #expect((try json.json()["assigned"] as? [String])?.count == 2)

        let audit = try auditLines(device)
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0["action"] as? String == "profile-run" && $0["outcome"] as? String == "refused" })
        #expect((audit.first?["files"] as? [String])?.count == 2)
    }

    @Test func malformedProfileIsRefusedWithItsLine() throws {
        let device = try fullDevice()
        try device.directory.write("wfs/license-profiles/RemoveBroken.profile",
                                   "name: RemoveBroken\ndescription: d\nselektor: all\n")
        let result = try agent(device, ["profiles", "run"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("line 3: unknown key `selektor`"), "\(result)")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))

        // Not UTF-8: refused the same way.
        try device.directory.write("wfs/license-profiles/RemoveBroken.profile",
                                   Data("name: RemoveBroken\ndescription: caf".utf8) + Data([0xE9]) + Data("\nselector: all\n".utf8))
        let latin1 = try agent(device, ["profiles", "run"])
        #expect(latin1.status == 2, "\(latin1)")
        #expect(latin1.stderr.contains("line 2: not UTF-8"), "\(latin1)")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
    }

    @Test func noneAssignedRunsNothing() throws {
        let device = try fullDevice()
        let result = try agent(device, ["profiles", "run", "--json"])
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["outcome"] as? String == "none-assigned")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
        #expect(try auditLines(device).isEmpty)
    }

    @Test func dryRunShowsWithoutRemoving() throws {
        let device = try fullDevice()
        let dry = try agent(device, ["remove", "--evaluation", "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry)")
        let json = try dry.json()
        #expect(json["dryRun"] as? Bool == true)
        #expect((json["licenses"] as? [[String: Any]])?.compactMap { $0["file"] as? String } == ["WE-E.lic"])
        #expect((json["licenses"] as? [[String: Any]])?.first?["licenseId"] as? String == "id-WE-E")
        let text = try agent(device, ["remove", "--all", "--dry-run"])
        #expect(text.stdout.contains("would remove request file fetch.req"), "\(text)")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
        #expect(try partitionNames(device).contains("fetch.req"))
        #expect(try auditLines(device).isEmpty)
    }

    @Test func statusShowsTheAssignedProfileAndWhatItWouldRemove() throws {
        let device = try fullDevice()
        try assign(device, shipped: "RemoveAllAddonTeradiciLicenses")
        let status = try agent(device, ["status", "--json"], umockdev: true)
        let profile = try #require(try status.json()["removalProfile"] as? [String: Any], "\(status)")
        #expect(profile["name"] as? String == "RemoveAllAddonTeradiciLicenses")
        #expect(profile["selector"] as? String == "product:TER")
        #expect(profile["state"] as? String == "assigned")
        #expect(profile["wouldRemove"] as? [String] == ["TER.lic"])
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))

        try assign(device, shipped: "RemoveAllLocalLicenses")
        let refused = try agent(device, ["status", "--json"], umockdev: true)
        let summary = try #require(try refused.json()["removalProfile"] as? [String: Any], "\(refused)")
        #expect(summary["state"] as? String == "refused")
        #expect((summary["detail"] as? String)?.contains("RemoveAllLocalLicenses.profile") == true)
        #expect(summary["wouldRemove"] as? [String] == [])
        #expect(try auditLines(device).isEmpty)
    }

    /// `summary()` as `check` and `status` call it, in process.
    @Test func summaryDescribesTheNextStart() throws {
        let device = try fullDevice()
        let profiles = RemovalProfiles(layout: DeviceLayout(root: device.root))
        #expect(profiles.summary() == nil)

        try assign(device, shipped: "RemoveAllEvaluationLicenses")
        let assigned = try #require(profiles.summary())
        #expect(assigned.name == "RemoveAllEvaluationLicenses")
        #expect(assigned.selector == "evaluation")
        #expect(assigned.state == "assigned")
        #expect(assigned.wouldRemove == ["WE-E.lic"])
        #expect(assigned.detail?.contains("id-WE-E") == true)

        try device.directory.write("wfs/license-profiles/notes.txt", "stray")
        let refused = try #require(profiles.summary())
        #expect(refused.state == "refused")
        #expect(refused.wouldRemove.isEmpty)
        #expect(refused.detail?.contains("notes.txt") == true)
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
    }

    @Test func auditLinesNameFilesAndLicenseIds() throws {
        let device = try fullDevice()
        #expect(try agent(device, ["remove", "--product", "PWT"]).status == 0)
        try assign(device, shipped: "RemoveAllLocalLicenses")
        #expect(try agent(device, ["profiles", "run"]).status == 0)

        let audit = try auditLines(device)
        #expect(audit.count == 2)
        #expect(audit[0]["action"] as? String == "remove")
        #expect(audit[0]["files"] as? [String] == ["PWT.lic"])
        #expect(audit[0]["licenseIds"] as? [String] == ["id-PWT"])
        #expect((audit[0]["detail"] as? String)?.contains("product:PWT") == true)
        #expect(audit[1]["action"] as? String == "profile-run")
        #expect(Set(audit[1]["files"] as? [String] ?? []) == Set(Self.products.map(\.file).filter { $0 != "PWT.lic" } + ["fetch.req"]))
        #expect(Set(audit[1]["licenseIds"] as? [String] ?? []) == Set(Self.products.map { "id-\($0.product)" }.filter { $0 != "id-PWT" }))
        #expect((audit[1]["detail"] as? String)?.contains("RemoveAllLocalLicenses") == true)
        #expect(audit.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
    }

    @Test func profilesListFindsTheShippedAndAnAdministratorsOwn() throws {
        let device = try DeviceTree()
        let shipped = try agent(device, ["profiles", "list", "--json"])
        #expect(shipped.status == 0, "\(shipped)")
        let names = (try shipped.json()["profiles"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(Set(names ?? []) == Set(Self.shippedExpectations.keys))

        let own = try TemporaryDirectory("own-profiles")
        try own.write("RemoveAllPlatformAccessLicenses.profile",
                      "name: RemoveAllPlatformAccessLicenses\ndescription: Deletes PAS\nselector: product:PAS\n")
        try own.write("Typo.profile", "name: Typo\ndescription: d\nselector: products:PAS\n")
        let listed = try agent(device, ["profiles", "list"], environment: ["LICENSE_AGENT_PROFILES_DIR": own.path])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.contains("RemoveAllPlatformAccessLicenses  [product:PAS]"), "\(listed)")
        #expect(listed.stdout.contains("Typo.profile  REFUSED: line 3: unknown selector"), "\(listed)")
    }

    @Test(arguments: [[], ["--all", "--evaluation"], ["--product", "EMP", "--all"], ["--product", "emp"]])
    func removeNeedsExactlyOneValidSelector(arguments: [String]) throws {
        let device = try fullDevice()
        let result = try agent(device, ["remove"] + arguments)
        #expect(result.status == 64, "\(result)")
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func removalOnReadOnlyPartitionLeavesItReadOnly() throws {
        let device = try fullDevice()
        let partition = device.directory.appending("license")
        let staged = try TemporaryDirectory("staged-partition")
        try FileManager.default.removeItem(atPath: staged.path)
        try FileManager.default.copyItem(atPath: partition, toPath: staged.path)
        let script = """
            mount -t tmpfs -o nosuid,nodev tmpfs \(partition)
            cp -a \(staged.path)/. \(partition)/
            mount -o remount,ro \(partition)
            set +e
            \(Umockdev.agent) remove --product EMP --root \(device.root); echo "EXIT $?"
            awk '$5 == "\(partition)" { print "OPTIONS " $6 }' /proc/self/mountinfo
            ls \(partition)/dsa/licenses
            touch \(partition)/probe 2>/dev/null && echo WRITABLE || echo READONLY
            """
        let result = try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", script])
        #expect(result.stdout.contains("EXIT 0"), "\(result)")
        let options = result.stdout.split(separator: "\n").first { $0.hasPrefix("OPTIONS ") }
        #expect(options?.split(separator: " ")[1].split(separator: ",").first == "ro", "\(result)")
        #expect(options?.contains("nosuid") == true)
        #expect(result.stdout.contains("READONLY"))
        let listed = Set(result.stdout.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".lic") })
        #expect(listed == Set(Self.products.map(\.file)).subtracting(["EMP.lic"]), "\(result)")
        // Outside the namespace the tmpfs is gone and the tree's own files were never touched.
        #expect(Set(try device.installedNames()) == Set(Self.products.map(\.file)))
        #expect(try auditLines(device).first?["licenseIds"] as? [String] == ["id-EMP"])
    }
}
