import Foundation
import Testing
import TestSupport

/// `status` and `check` as the boot sequence and an administrator run them: the built binary
/// on a fake device tree, the fixture NIC under umockdev, licenses signed by `openssl cms`.
@Suite struct StatusCheckTests {
    /// One file of every verdict, and the JSON keys of CLI.md.
    @Test func everyVerdictWithItsReason() throws {
        let device = try DeviceTree()
        let pki = device.pki
        try device.installLicense("PAS-a-valid.lic", product: "PAS", licenseId: "pas-1")
        try device.installLicense("EMP-expired.lic", product: "EMP", expires: "2026-10-31")
        try device.installLicense("EMP-renewal.lic", product: "EMP", starts: "2030-01-01", expires: "2031-01-01")
        try device.installLicense("other.lic", units: ["001122334455"])
        try device.installLicense("PAS-b-copy.lic", product: "PAS", licenseId: "pas-1")
        // Alter the signed content itself (one letter of the product), not a certificate.
        var tampered = try device.sign(DeviceTree.document(product: "EMP"), format: .der)
        let at = try #require(tampered.firstRange(of: Data("\"EMP\"".utf8)))
        tampered[at.lowerBound + 1] = UInt8(ascii: "X")
        try device.install("tampered.lic", tampered)
        try device.install("outsider.lic", device.sign(DeviceTree.document(), signer: .outsider))
        try device.install("email.lic", device.sign(DeviceTree.document(), signer: .emailOnly))
        try device.install("garbage.lic", Data("hello, I am not a license".utf8))
        let good = try device.sign(DeviceTree.document())
        try device.install("truncated.lic", good.prefix(good.count / 2))
        try device.install("empty.lic", Data())
        try device.install("oversize.lic", Data(repeating: 0x41, count: 65_537))
        try device.install("format2.lic", device.sign(DeviceTree.document(extra: ["format": 2])))
        try device.install("not-json.lic", pki.sign(document: "this is not json", signer: .p256))
        try device.install("README.txt", Data("not a license name".utf8))

        let result = try device.agent(["status", "--json"], at: "2026-11-29 12:00:00")
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["schemaVersion"] as? Int == 1)
        #expect(json["unitId"] as? String == DeviceTree.fixtureUnit)
        #expect(json["unitSource"] as? String == "mac")
        #expect(json["licensed"] as? Bool == true)
        #expect(json["osGeneration"] as? Int == 12)
        let licenses = try #require(json["licenses"] as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: licenses.map { ($0["file"] as! String, $0["verdict"] as! String) })
        #expect(verdicts == [
            "EMP-expired.lic": "expired", "EMP-renewal.lic": "not-yet-valid", "PAS-b-copy.lic": "duplicate",
            "PAS-a-valid.lic": "valid", "email.lic": "untrusted", "empty.lic": "malformed", "format2.lic": "unsupported-format",
            "garbage.lic": "malformed", "not-json.lic": "malformed", "other.lic": "other-unit",
            "outsider.lic": "untrusted", "oversize.lic": "malformed", "tampered.lic": "bad-signature",
            "truncated.lic": "malformed",
        ])
        for license in licenses {
            #expect((license["detail"] as? String)?.isEmpty == false)
            for key in ["licenseId", "product", "model", "packId", "starts", "expires"] {
                #expect(license.keys.contains(key), "\(key) missing in \(license)")
            }
        }
        let products = try #require(json["products"] as? [[String: Any]])
        #expect(products.map { $0["product"] as? String } == ["EMP", "PAS"])
        #expect(products.first?["state"] as? String == "expired")
        #expect(products.last?["state"] as? String == "active")
        for key in ["trustedTime", "clockRollbackDetected", "features", "warnings", "configuration", "removalProfile"] {
            #expect(json.keys.contains(key), "\(key) missing")
        }
    }

    @Test func humanStatusPutsWarningsFirstAndExplainsEachFile() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", expires: "2026-12-10")
        try device.install("broken.lic", Data("broken".utf8))
        let result = try device.agent(["status"], at: "2026-12-01 12:00:00")
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("WARNING (expiring)") == true, "\(result.stdout)")
        #expect(result.stdout.contains("Unit ID:        00E0C51C5087"))
        #expect(result.stdout.contains("Licensed:       yes"))
        #expect(lines.contains { $0.contains("malformed") && $0.contains("broken.lic") })
        #expect(lines.contains { $0.contains("PAS") && $0.contains("9 days left") })
    }

    @Test func unlicensedDeviceExitsTwoWithTheUnlicensedSet() throws {
        let device = try DeviceTree()
        try device.installLicense("EMP.lic", product: "EMP")
        let result = try device.agent(["status", "--json"])
        #expect(result.status == 2, "\(result)")
        let json = try result.json()
        #expect(json["licensed"] as? Bool == false)
        let features = try #require(json["features"] as? [String: Bool])
        #expect(Set(features.filter(\.value).keys) == ["connect-ums", "deploy-license", "onboarding-service"])
    }

    @Test func missingKeyringMakesEveryLicenseUntrusted() throws {
        let device = try DeviceTree(withKeyring: false)
        try device.installLicense("PAS.lic")
        let result = try device.agent(["status", "--json"])
        #expect(result.status == 2)
        let licenses = try #require(try result.json()["licenses"] as? [[String: Any]])
        #expect(licenses.first?["verdict"] as? String == "untrusted")
        #expect((licenses.first?["detail"] as? String)?.contains("keyring") == true)
    }

    @Test func checkPublishesStateAndRemembersTrustedTime() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let result = try device.agent(["check", "--json"], at: "2027-03-01 08:00:00")
        #expect(result.status == 0, "\(result)")
        let published = try Data(contentsOf: URL(fileURLWithPath: device.directory.appending("run/license-agent/state.json")))
        let state = try #require(try JSONSerialization.jsonObject(with: published) as? [String: Any])
        #expect(state["licensed"] as? Bool == true)
        #expect((state["trustedTime"] as? String)?.hasPrefix("2027-03-01T08:00:0") == true)
        let remembered = try String(contentsOfFile: device.directory.appending("wfs/license-agent/state.json"), encoding: .utf8)
        #expect(remembered.contains("\"trustedTimeMark\":\"2027-03-01T08:00:0"))
        #expect(remembered.contains(DeviceTree.fixtureUnit))
        let runtime = try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("run/license-agent"))
        #expect(Set(runtime) == ["lock", "state.json"])
    }

    /// Setting the clock back never revives an expired license.
    @Test func clockSetBackIsDetectedAndRevivesNothing() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS")
        try device.installLicense("EMP.lic", product: "EMP", expires: "2027-02-28")
        let first = try device.agent(["check"], at: "2027-03-10 08:00:00")
        #expect(first.status == 0, "\(first)")
        let back = try device.agent(["status", "--json"], at: "2027-02-01 08:00:00")
        let json = try back.json()
        #expect(json["clockRollbackDetected"] as? Bool == true)
        #expect((json["trustedTime"] as? String)?.hasPrefix("2027-03-10T08:00:0") == true)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "clock-rollback" })
        let licenses = try #require(json["licenses"] as? [[String: Any]])
        #expect(licenses.first { $0["file"] as? String == "EMP.lic" }?["verdict"] as? String == "expired")
        // Less than a day behind is drift, not a rollback.
        let drift = try device.agent(["status", "--json"], at: "2027-03-09 20:00:00").json()
        #expect(drift["clockRollbackDetected"] as? Bool == false)
    }

    @Test func replacedNetworkCardWarnsUnitChanged() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", units: ["001122334455"])
        try device.directory.write("wfs/license-agent/state.json", #"{"schemaVersion":1,"unitId":"001122334455"}"#)
        let json = try device.agent(["status", "--json"]).json()
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "unit-changed" })
    }

    @Test func statusAtRefusesThePastAndBadDates() throws {
        let device = try DeviceTree()
        let past = try device.agent(["status", "--at", "2020-01-01"])
        #expect(past.status == 64)
        #expect(past.stderr.contains("before the trusted time"))
        let bad = try device.agent(["status", "--at", "2026-02-30"])
        #expect(bad.status == 64)
        let future = try device.agent(["status", "--json", "--at", "2099-01-01"])
        #expect(future.status == 2)
    }

    @Test func unknownOptionIsAUsageError() throws {
        let device = try DeviceTree()
        let result = try device.agent(["status", "--frobnicate"])
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
    }

    @Test func licenseSignedBeforeItsCertificateEndedStaysValid() throws {
        let device = try DeviceTree()
        let window = TestPKI.validity(of: .expired)
        let inside = ISO8601DateFormatter().string(from: window.notAfter.addingTimeInterval(-86_400))
        let after = ISO8601DateFormatter().string(from: window.notAfter.addingTimeInterval(86_400))
        try device.install("signed-in-time.lic", device.sign(DeviceTree.document(issued: inside), signer: .expired))
        try device.install("signed-too-late.lic", device.sign(DeviceTree.document(issued: after), signer: .expired))
        let json = try device.agent(["status", "--json"]).json()
        let licenses = try #require(json["licenses"] as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: licenses.map { ($0["file"] as! String, $0["verdict"] as! String) })
        #expect(verdicts == ["signed-in-time.lic": "valid", "signed-too-late.lic": "untrusted"])
    }

    @Test func revokedSignerIsRefusedOnlyWithTheCRL() throws {
        let device = try DeviceTree()
        try device.install("revoked.lic", device.sign(DeviceTree.document(), signer: .revoked))
        let without = try device.agent(["status", "--json"]).json()
        #expect((without["licenses"] as? [[String: Any]])?.first?["verdict"] as? String == "valid")
        try device.directory.write("etc/license-agent/crl.pem", Data(contentsOf: URL(fileURLWithPath: device.pki.crlPath)))
        let with = try device.agent(["status", "--json"]).json()
        #expect((with["licenses"] as? [[String: Any]])?.first?["verdict"] as? String == "revoked")
    }

    /// CLI.md writes the global options before the subcommand; both places work.
    @Test func globalOptionsBeforeTheSubcommand() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let result = try ProcessRunner.run(["umockdev-run", "-d", try Umockdev.fixture("device"), "--",
                                            Umockdev.agent, "--root", device.root, "--json", "--verbose", "status"])
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["unitId"] as? String == DeviceTree.fixtureUnit)
        // --verbose explains the steps on stderr, and only there.
        #expect(result.stderr.contains("trusted time"))
        #expect(result.stderr.contains("license file(s)"))
        let quiet = try device.agent(["status", "--json"])
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    /// `units` may spell the MAC in any accepted form; comparison is on canonical forms.
    @Test(arguments: ["00E0C51C5087", "00:E0:C5:1C:50:87", "00-e0-c5-1c-50-87", "00:e0:c5:1c:50:87"])
    func macSpellingsInUnitsAllMatch(spelling: String) throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", units: ["garbage-entry", spelling])
        let json = try device.agent(["status", "--json"]).json()
        #expect((json["licenses"] as? [[String: Any]])?.first?["verdict"] as? String == "valid")
    }

    /// `check` that cannot persist its state (a file where `/wfs/license-agent` belongs) still
    /// publishes its answer, lists the failure in `errors[]` naming the path, warns on stderr
    /// and exits 1 (CLI.md "It always publishes").
    @Test func checkThatCannotWriteItsStatePublishesWithErrors() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let blocker = try device.directory.write("wfs/license-agent", "a file where the state directory belongs")
        let result = try device.agent(["check"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("WARNING"), "\(result.stderr)")
        #expect(result.stderr.contains(blocker), "\(result.stderr)")
        let state = try device.publishedState()
        #expect(state["licensed"] as? Bool == true)
        let errors = try #require(state["errors"] as? [[String: Any]])
        #expect(errors.contains { ($0["path"] as? String)?.hasPrefix(blocker) == true }, "\(errors)")
        #expect(try String(contentsOfFile: blocker, encoding: .utf8) == "a file where the state directory belongs")
    }
}
