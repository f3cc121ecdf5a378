import Foundation
import Testing
import TestSupport

/// `license-agent deploy` (DELIVERY.md) end to end: the built binary under umockdev (unit
/// `00E0C51C5087`), a loopback https server playing the UMS (links with ETag, the poll,
/// request counts), and a reboot command replaced by a script that records its calls.
@Suite struct DeployTests {
    /// A device with a UMS: agent.conf names the recording reboot script, the UMS's CA is at
    /// `/etc/ums-ca.pem` on the device.
    final class Setup {
        let device: DeviceTree
        let ca: TestServerCA
        let ums: UMSTestServer
        let rebootCalls: String

        init(validators: Bool = true, agentConfig: String = "", osVersion: String = "12.5.0",
             certificateYears: Int = 40) throws {
            device = try DeviceTree(osVersion: osVersion)
            ca = try TestServerCA(yearsAround: certificateYears)
            ums = try UMSTestServer(certificate: ca, validators: validators, workDirectory: device.directory)
            rebootCalls = device.directory.appending("reboot-calls")
            // Records its arguments, and whether the agent still held a lock when it ran.
            let locks = ["lock", "deploy.lock"].map { device.directory.appending("run/license-agent/\($0)") }
            let script = try device.directory.write("reboot.sh", """
                #!/bin/sh
                held=""
                for lock in '\(locks[0])' '\(locks[1])'; do flock -n "$lock" true || held="$held ${lock##*/}"; done
                echo "reboot $*${held:+ while holding$held}" >> '\(rebootCalls)'

                """, mode: 0o755)
            try device.directory.write("etc/license-agent/agent.conf", "reboot_command=\(script) --now\n" + agentConfig)
            try device.directory.write("etc/ums-ca.pem", Data(contentsOf: URL(fileURLWithPath: ca.caPath)))
        }

        /// Writes `/wfs/group.ini` as the UMS's settings transport would. `prompt` is
        /// `prompt_user_on_actions` (nil: absent, the device default: ask); false by default,
        /// as the UMS profile the documentation advises for license deployment sets it.
        func settings(link: String?, server: Bool = true, prompt: Bool? = false, umsCA: Bool = true,
                      extra: String = "") throws {
            var text = "userinterface.theme=dark\n"
            if server { text += "system.remotemanager.server=\(ums.baseURL)\n" }
            if let link { text += "system.remotemanager.license_download_url=\(link)\n" }
            if umsCA { text += "system.remotemanager.ums_ca=/etc/ums-ca.pem\n" }
            if let prompt { text += "system.remotemanager.prompt_user_on_actions=\(prompt)\n" }
            try device.directory.write("wfs/group.ini", text + extra)
        }

        /// A license for the fixture unit, signed by the test PKI.
        func license(product: String = "EMP", model: String = "subscription", starts: String = "2026-01-01",
                     expires: String = TestDay.farFuture, units: [String] = DeviceTree.defaultUnits) throws -> Data {
            try device.sign(DeviceTree.document(product: product, model: model, starts: starts, expires: expires, units: units))
        }

        /// A license whose signed content was changed after signing (DER, the expiry moved).
        func tampered() throws -> Data {
            let expires = TestDay.farFuture, extended = TestDay.fromToday(years: 14)
            let signed = try device.sign(DeviceTree.document(product: "EMP", expires: expires), format: .der)
            let original = Data(expires.utf8), forged = Data(extended.utf8)
            var copy = signed
            let range = try #require(copy.range(of: original))
            copy.replaceSubrange(range, with: forged)
            return copy
        }

        func deploy(_ arguments: [String] = [], at time: String? = nil) throws -> ProcessResult {
            try device.agent(["deploy", "--json"] + arguments, at: time)
        }

        func rebootCount() -> Int {
            ((try? String(contentsOfFile: rebootCalls, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func deployAudit() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["action"] as? String == "deploy" }
        }

        func record() throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: device.directory.appending("wfs/license-agent/deploy.json")))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        var rebootMarker: String { device.directory.appending("run/license-agent/reboot-required") }

        func downloads(of path: String) -> [UMSTestServer.Request] { ums.requests().filter { $0.path == path } }
    }

    @Test func aLinkIsDownloadedInstalledAndRebootsOnceThenNotDownloadedAgain() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.settings(link: link)

        let first = try setup.deploy()
        #expect(first.status == 0, "\(first)\n\(setup.ums.logText)")
        let json = try first.json()
        #expect(json["schemaVersion"] as? Int == 1)
        #expect(json["rebootRequested"] as? Bool == true)
        #expect(json["rebootRequired"] as? Bool == true)
        #expect(json["step"] as? String == "imported")
        let entry = try #require((json["results"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "valid")
        #expect(entry["installedAs"] as? String == "EMP-R9HXH.lic")
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
        #expect(try String(contentsOfFile: setup.rebootCalls, encoding: .utf8) == "reboot --now\n",
                "called once, after the writer lock and the deploy lock were released")
        let marker = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: setup.rebootMarker))) as? [String: Any])
        #expect(marker["files"] as? [String] == ["EMP-R9HXH.lic"])
        #expect(marker["reason"] as? String == "license deployed from \(link)")
        let record = try setup.record()
        #expect(record["outcome"] as? String == "installed")
        #expect((record["etag"] as? String)?.hasPrefix("\"") == true)
        #expect((record["sha256"] as? String)?.count == 64)
        #expect(record["link"] as? String == link)

        // The next boot: a conditional request, 304, nothing downloaded, no second reboot.
        let second = try setup.deploy()
        #expect(second.status == 0, "\(second)")
        #expect(try second.json()["step"] as? String == "not-modified")
        #expect(try second.json()["rebootRequested"] as? Bool == false)
        #expect(setup.rebootCount() == 1)
        let requests = setup.downloads(of: "/licenses/EMP-R9HXH.lic")
        #expect(requests.map(\.status) == [200, 304])
        #expect(requests.last?.ifNoneMatch == record["etag"] as? String)
        let audit = setup.deployAudit()
        // The device holds an EMP only (no base license): the unchanged link does not end the
        // run, the UMS is asked as well (DELIVERY.md step 2) and has nothing (204).
        #expect(audit.map { $0["outcome"] as? String }
            == ["downloaded", "installed 1", "reboot requested", "not modified", "no license yet"])
        let own = audit.filter { $0["outcome"] as? String != "installed 1" }
        #expect(own.allSatisfy { ($0["detail"] as? String)?.hasPrefix("host 127.0.0.1; ") == true }, "\(audit)")
        #expect((audit[0]["detail"] as? String)?.contains("sha256 \(record["sha256"] as? String ?? "?")") == true)
        #expect((audit[1]["files"] as? [String]) == ["\(link) -> EMP-R9HXH.lic"], "the import's own line")
        // status tells that a restart is pending until the device reboots (the marker is in /run).
        let status = try setup.device.agent(["status", "--json"]).json()
        let warnings = try #require(status["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "reboot-required" })
    }

    /// prompt_user_on_actions=true: the user decides; the agent warns instead of rebooting.
    @Test func promptLeavesTheRebootToTheUserAndWarns() throws {
        let setup = try Setup()
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()), prompt: true)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["rebootRequested"] as? Bool == false)
        #expect(try result.json()["rebootRequired"] as? Bool == true)
        #expect(setup.rebootCount() == 0)
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
        let text = try setup.device.agent(["status"])
        #expect(text.stdout.contains("WARNING (reboot-required)"), "\(text.stdout)")
        #expect(text.stdout.contains("EMP-R9HXH.lic"))
    }

    /// A mass license is added to the licenses already there (never `--replace`).
    @Test func aMassLicenseIsAddedToTheExistingSet() throws {
        let setup = try Setup()
        try setup.device.installLicense("PAS-7QK2M.lic", product: "PAS")
        let units = DeviceTree.defaultUnits + (1...40).map { String(format: "00E0C5%06X", $0) }
        try setup.settings(link: try setup.ums.serve("EMP-MASS.lic", setup.license(units: units)))
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try setup.device.installedNames() == ["EMP-MASS.lic", "PAS-7QK2M.lic"])
        // Delivered again under another link: already there, no reboot.
        try setup.settings(link: try setup.ums.serve("copy.lic", Data(contentsOf: URL(
            fileURLWithPath: setup.device.licenseDirectory + "/EMP-MASS.lic"))))
        let again = try setup.deploy()
        #expect(again.status == 0, "\(again)")
        #expect((try again.json()["results"] as? [[String: Any]])?.first?["verdict"] as? String == "already-installed")
        #expect(try again.json()["rebootRequired"] as? Bool == false)
        #expect(setup.rebootCount() == 1)
        #expect(try setup.record()["outcome"] as? String == "already-installed")
    }

    /// A refused file is recorded: the next run asks conditionally and gets 304; only a new
    /// file behind the link (a new ETag) is downloaded again.
    @Test func aBadFileIsDownloadedOnceAndNotAgain() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-BAD.lic", setup.tampered())
        try setup.settings(link: link)
        let first = try setup.deploy()
        #expect(first.status == 2, "\(first)")
        #expect((try first.json()["results"] as? [[String: Any]])?.first?["verdict"] as? String == "bad-signature")
        #expect(try setup.record()["outcome"] as? String == "refused")
        #expect(setup.rebootCount() == 0)
        #expect(!FileManager.default.fileExists(atPath: setup.rebootMarker))

        let second = try setup.deploy()
        #expect(second.status == 0, "nothing to do: \(second)")
        #expect(try second.json()["step"] as? String == "not-modified")
        #expect(setup.downloads(of: "/licenses/EMP-BAD.lic").map(\.status) == [200, 304])

        try setup.ums.serve("EMP-BAD.lic", setup.license())
        let fixed = try setup.deploy()
        #expect(fixed.status == 0, "\(fixed)")
        #expect(try setup.device.installedNames() == ["EMP-BAD.lic"])
        #expect(setup.downloads(of: "/licenses/EMP-BAD.lic").map(\.status) == [200, 304, 200])
    }

    /// A server without validators sends the same bytes again: recognised by their digest.
    @Test func theSameBytesWithoutValidatorsAreNotImportedAgain() throws {
        let setup = try Setup(validators: false)
        try setup.settings(link: try setup.ums.serve("EMP-BAD.lic", setup.tampered()))
        #expect(try setup.deploy().status == 2)
        let second = try setup.deploy()
        #expect(second.status == 0, "\(second)")
        #expect(try second.json()["step"] as? String == "unchanged")
        #expect(setup.downloads(of: "/licenses/EMP-BAD.lic").allSatisfy { $0.ifNoneMatch == nil && $0.ifModifiedSince == nil })
    }

    /// A registered, unlicensed device asks the UMS: 204 (nothing yet), later 200 with the link.
    @Test func thePollAnswers204ThenALink() throws {
        let setup = try Setup()
        try setup.settings(link: nil)
        let first = try setup.deploy()
        #expect(first.status == 0, "\(first)\n\(setup.ums.logText)")
        #expect(try first.json()["step"] as? String == "no-license-yet")
        #expect(try setup.device.installedNames().isEmpty)
        #expect(setup.ums.requests().map(\.path) == ["/v1/devices/00E0C51C5087/license"])

        let link = try setup.ums.serve("PAS-7QK2M.lic", setup.license(product: "PAS"))
        try setup.ums.offer(link, to: DeviceTree.fixtureUnit)
        let second = try setup.deploy()
        #expect(second.status == 0, "\(second)")
        #expect(try second.json()["step"] as? String == "imported")
        #expect(try setup.device.installedNames() == ["PAS-7QK2M.lic"])
        #expect(setup.rebootCount() == 1)
        #expect(setup.deployAudit().compactMap { $0["outcome"] as? String }
                    == ["no license yet", "license offered", "downloaded", "installed 1", "reboot requested"])

        // Licensed now, with no link in the settings: nothing to ask (the requests so far include
        // the report the installation sent).
        let asked = setup.ums.requests().count
        let third = try setup.deploy()
        #expect(third.status == 0)
        #expect(try third.json()["step"] as? String == "nothing-to-do")
        #expect(setup.ums.requests().count == asked)
    }

    /// An expiring base license asks as well (DELIVERY.md step 3); a poll error is exit 1 with
    /// the status and the first line of the body.
    @Test func anExpiringDeviceAsksAndAPollErrorIsReported() throws {
        let setup = try Setup()
        try setup.device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-20")
        try setup.settings(link: nil)
        try setup.ums.answerPolls(with: 503)
        let result = try setup.deploy(at: "2026-12-01 08:00:00")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("HTTP 503"), "\(result.stderr)")
        #expect(result.stderr.contains("the UMS is not ready: status 503"), "\(result.stderr)")
        #expect(!result.stderr.contains("second line"))
        // With more than 30 days left it does not ask.
        let current = try setup.deploy(at: "2026-10-01 08:00:00")
        #expect(current.status == 0, "\(current)")
        #expect(try current.json()["step"] as? String == "nothing-to-do")
        #expect(setup.ums.requests().count == 1)
    }

    @Test func serverDownIsAnErrorThatChangesNothing() throws {
        let setup = try Setup()
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        let settingsBefore = try String(contentsOfFile: setup.device.directory.appending("wfs/group.ini"), encoding: .utf8)
        setup.ums.stop()
        let result = try setup.deploy()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("127.0.0.1"), "\(result.stderr)")
        #expect(try setup.device.installedNames().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: setup.device.directory.appending("wfs/license-agent/deploy.json")))
        #expect(!FileManager.default.fileExists(atPath: setup.rebootMarker))
        #expect(try String(contentsOfFile: setup.device.directory.appending("wfs/group.ini"), encoding: .utf8) == settingsBefore)
        #expect(setup.rebootCount() == 0)
    }

    /// Trust is the system store plus ums_ca: without ums_ca the test CA is unknown.
    @Test func theUMSCertificateIsVerifiedAgainstUmsCA() throws {
        let setup = try Setup()
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()), umsCA: false)
        let result = try setup.deploy()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.lowercased().contains("certificate"), "\(result.stderr)")
        #expect(setup.ums.requests().isEmpty, "the TLS handshake failed before any request")
    }

    /// The UMS's proxy setting wins over agent.conf's.
    @Test func theProxyComesFromTheSettingsBeforeAgentConf() throws {
        let setup = try Setup(agentConfig: "proxy=http://127.0.0.1:2\n")
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.settings(link: link)
        let viaAgentConf = try setup.deploy()
        #expect(viaAgentConf.status == 1, "the unreachable agent.conf proxy was used: \(viaAgentConf)")
        try setup.settings(link: link, extra: "system.remotemanager.proxy=http://127.0.0.1:1\n")
        let viaSettings = try setup.deploy()
        #expect(viaSettings.status == 1, "\(viaSettings)")
        #expect(viaSettings.stderr.contains("127.0.0.1 port 1") || viaSettings.stderr.contains(":1"), "\(viaSettings.stderr)")
        #expect(setup.ums.requests().isEmpty)
    }

    @Test func theHourlyRunDoesNothingOnALicensedDevice() throws {
        let setup = try Setup()
        try setup.device.installLicense("PAS.lic", product: "PAS")
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        let hourly = try setup.deploy(["--if-unlicensed"])
        #expect(hourly.status == 0, "\(hourly)")
        #expect(try hourly.json()["step"] as? String == "nothing-to-do")
        #expect(setup.ums.requests().isEmpty)
        // The path unit's run (no flag) does take a new link on a licensed device.
        #expect(try setup.deploy().status == 0)
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic", "PAS.lic"])
    }

    @Test func withoutDeliverySettingsThereIsNothingToDo() throws {
        let setup = try Setup()
        let none = try setup.deploy()
        #expect(none.status == 0, "\(none)")
        #expect(try none.json()["step"] as? String == "nothing-to-do")
        let text = try setup.device.agent(["deploy"])
        #expect(text.stdout.contains("no license download link and no management server"), "\(text.stdout)")
    }

    /// A failing reboot command: the license stays installed, the marker stays, exit 1.
    @Test func aFailingRebootCommandIsReported() throws {
        let setup = try Setup(agentConfig: "reboot_command=/bin/false\n")
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        let result = try setup.deploy()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("reboot command `/bin/false` ended with exit status 1"), "\(result.stderr)")
        #expect(try result.json()["results"] as? [[String: Any]] != nil, "the JSON answer is still printed")
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
        #expect(FileManager.default.fileExists(atPath: setup.rebootMarker))
    }

    /// Under --root without a reboot_command, the host is never rebooted.
    @Test func aDeviceTreeNeverRebootsTheHostByDefault() throws {
        let setup = try Setup()
        try setup.device.directory.write("etc/license-agent/agent.conf", "")
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["rebootRequested"] as? Bool == false)
        #expect(result.stderr.contains("Not running `systemctl reboot`"), "\(result.stderr)")
    }

    /// "License deployment keeps working after a subscription expired, while the configuration
    /// is frozen": the link key survives `check`, a frozen `config apply` takes it, and the
    /// renewal the UMS deploys installs and thaws the configuration.
    @Test func aFrozenDeviceKeepsTheLinkAndInstallsTheRenewal() throws {
        let setup = try Setup()
        try setup.device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try setup.settings(link: nil)
        let settingsPath = setup.device.directory.appending("wfs/group.ini")
        let lastGood = try String(contentsOfFile: settingsPath, encoding: .utf8)
        #expect(try setup.device.agent(["check"], at: "2026-12-15 09:00:00").status == 0)
        #expect(try setup.device.agent(["check"], at: "2027-01-05 09:00:00").status == 0)
        let frozen = try FrozenConfigurationTests.agent(setup.device, ["config", "status"], ["--json"], at: "2027-01-05 09:01:00").json()
        #expect((frozen["configuration"] as? [String: Any])?["frozen"] as? Bool == true)

        // The UMS sends its settings: the link, and a change the freeze must undo.
        let link = try setup.ums.serve("PAS-RENEWAL.lic", setup.license(product: "PAS", starts: "2027-01-01", expires: "2027-12-31"))
        let linkLine = "system.remotemanager.license_download_url=\(link)\n"
        try setup.device.directory.write("wfs/group.ini", lastGood.replacingOccurrences(of: "theme=dark", with: "theme=pink") + linkLine)
        #expect(try setup.device.agent(["check"], at: "2027-01-06 09:00:00").status == 0)
        #expect(try String(contentsOfFile: settingsPath, encoding: .utf8) == lastGood + linkLine,
                "the snapshot is back, the link stays")

        // A settings file that only adds the delivery keys is accepted while frozen.
        let withProxy = try setup.device.candidate("ums.ini", Data((lastGood + linkLine + "system.remotemanager.proxy=\n").utf8))
        let applied = try FrozenConfigurationTests.agent(setup.device, ["config", "apply"], ["--json", withProxy], at: "2027-01-06 09:01:00")
        #expect(applied.status == 0, "\(applied)")
        #expect(try applied.json()["deliveryKeysOnly"] as? Bool == true)

        let deployed = try setup.deploy(at: "2027-01-06 09:02:00")
        #expect(deployed.status == 0, "\(deployed)\n\(setup.ums.logText)")
        #expect(try setup.device.installedNames() == ["PAS-RENEWAL.lic", "PAS.lic"])
        #expect(setup.rebootCount() == 1)
        // After the reboot, the check finds the renewal active and thaws.
        #expect(try setup.device.agent(["check"], at: "2027-01-06 09:05:00").status == 0)
        let thawed = try FrozenConfigurationTests.agent(setup.device, ["config", "status"], ["--json"], at: "2027-01-06 09:06:00").json()
        #expect((thawed["configuration"] as? [String: Any])?["frozen"] as? Bool == false)
    }
}
