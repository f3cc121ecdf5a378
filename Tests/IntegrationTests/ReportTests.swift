import Foundation
import Testing
import TestSupport

/// `license-agent report` (DELIVERY.md "License information back to the UMS") end to end: the
/// built binary under umockdev (unit `00E0C51C5087`) against the loopback UMS stand-in, which
/// records every body posted to `/v1/devices/UNIT/license-info` and can answer 500, garbage or
/// nothing in time.
@Suite struct ReportTests {
    /// A device registered with a UMS whose CA is at `/etc/ums-ca.pem` on the device.
    final class Setup {
        let device: DeviceTree
        let ca: TestServerCA
        let ums: UMSTestServer

        init() throws {
            device = try DeviceTree()
            ca = try TestServerCA()
            ums = try UMSTestServer(certificate: ca, workDirectory: device.directory)
            try device.directory.write("etc/ums-ca.pem", Data(contentsOf: URL(fileURLWithPath: ca.caPath)))
            try settings()
        }

        /// Writes `/wfs/group.ini`; `server` is the UMS's base URL as the settings name it.
        func settings(server: String? = "", extra: String = "") throws {
            var text = "userinterface.theme=dark\nsystem.remotemanager.ums_ca=/etc/ums-ca.pem\n"
            if let server { text += "system.remotemanager.server=\(server.isEmpty ? ums.baseURL : server)\n" }
            try device.directory.write("wfs/group.ini", text + extra)
        }

        func license(_ name: String, product: String, starts: String = TestDay.fromToday(years: -1),
                     expires: String = TestDay.farFuture) throws {
            try device.installLicense(name, product: product, starts: starts, expires: expires)
        }

        func report(_ arguments: [String] = [], at time: String? = nil) throws -> ProcessResult {
            try device.agent(["report", "--json"] + arguments, at: time)
        }

        /// Every body the UMS received, oldest first, with the status it answered.
        func received() throws -> [(body: [String: Any], status: Any?, text: String)] {
            let path = ums.pollDirectory + "/license-info.jsonl"
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
                let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let text = try #require(entry["body"] as? String)
                #expect(entry["unit"] as? String == DeviceTree.fixtureUnit)
                #expect(entry["contentType"] as? String == "application/json")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                return (body, entry["status"], text)
            }
        }

        func quirk(_ name: String, _ value: String) throws {
            try Data(value.utf8).write(to: URL(fileURLWithPath: ums.pollDirectory + "/license-info-" + name))
        }

        var recordPath: String { device.directory.appending("wfs/license-agent/report.json") }

        /// Every file of the device (not the UMS's own), path → bytes.
        func deviceFiles() -> [String: Data] {
            var files: [String: Data] = [:]
            for top in ["etc", "license", "run", "sys", "wfs"] {
                let base = device.directory.appending(top)
                guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
                while let relative = walker.nextObject() as? String {
                    let path = base + "/" + relative
                    var isDirectory: ObjCBool = false
                    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                        files[top + "/" + relative] = FileManager.default.contents(atPath: path) ?? Data()
                    }
                }
            }
            return files
        }
    }

    enum Device: String, CaseIterable, CustomTestStringConvertible {
        case licensed, unlicensed, frozen, expiring
        var testDescription: String { rawValue }
    }

    /// The body is the facts of `status --json`, key by key, for each kind of device.
    @Test(arguments: Device.allCases)
    func theBodyIsTheStatusFacts(_ kind: Device) throws {
        let setup = try Setup()
        switch kind {
        case .licensed:
            try setup.license("PAS-7QK2M.lic", product: "PAS")
            try setup.license("EMP-R9HXH.lic", product: "EMP")
            try setup.device.directory.write("sys/class/dmi/id/product_serial", "  SN-4711-XZ \n")
        case .unlicensed:
            try setup.license("EMP-R9HXH.lic", product: "EMP")
            try setup.device.install("BROKEN.lic", Data("not a license".utf8))
            try setup.device.directory.write("sys/class/dmi/id/product_serial", "To Be Filled By O.E.M.\n")
        case .frozen:
            try setup.license("PAS-7QK2M.lic", product: "PAS", expires: TestDay.fromToday(days: -10))
            // The boot check freezes the configuration of a device whose PAS expired (its
            // base license still counts: a frozen device is licensed).
            let check = try setup.device.agent(["check"])
            #expect(check.status == 0, "\(check)")
        case .expiring:
            try setup.license("PAS-7QK2M.lic", product: "PAS", expires: TestDay.fromToday(days: 12))
        }
        let status = try setup.device.agent(["status", "--json"]).json()
        if kind == .frozen {
            #expect((status["configuration"] as? [String: Any])?["frozen"] as? Bool == true, "the device froze: \(status)")
        }

        let result = try setup.report()
        #expect(result.status == 0, "\(result)\n\(setup.ums.logText)")
        #expect(try result.json() as NSDictionary == ["schemaVersion": 1, "sent": true, "reason": "requested"])
        let received = try setup.received()
        #expect(received.count == 1)
        let body = try #require(received.first?.body)

        #expect(body["schemaVersion"] as? Int == 1)
        #expect(body["unitId"] as? String == status["unitId"] as? String)
        #expect(body["agentVersion"] as? String == status["agentVersion"] as? String)
        #expect(body["licensed"] as? Bool == status["licensed"] as? Bool)
        #expect(body["licensed"] as? Bool == (kind != .unlicensed))
        #expect(body["osGeneration"] as? Int == status["osGeneration"] as? Int)
        #expect(body["configurationFrozen"] as? Bool == (status["configuration"] as? [String: Any])?["frozen"] as? Bool)
        #expect((body["checkedAt"] as? String).flatMap(ISO8601DateFormatter().date(from:)) != nil, "\(body)")
        let products = try #require(status["products"] as? [[String: Any]])
        #expect(body["products"] as? [NSDictionary] == products.map {
            ["code": $0["product"]!, "state": $0["state"]!, "expires": $0["expires"]!, "model": $0["model"]!] as NSDictionary
        })
        let licenses = try #require(status["licenses"] as? [[String: Any]])
        #expect(body["licenses"] as? [NSDictionary] == licenses.map { license in
            NSDictionary(dictionary: ["file", "verdict", "licenseId", "packId", "product", "expires"].reduce(into: [String: Any]()) {
                $0[$1] = license[$1] ?? NSNull()
            })
        })
        let warnings = try #require(status["warnings"] as? [[String: Any]])
        #expect(body["warnings"] as? [String] == warnings.compactMap { $0["code"] as? String })
        #expect(Set(body.keys) == ["schemaVersion", "unitId", "hardwareSerial", "agentVersion", "checkedAt", "licensed",
                                   "osGeneration", "configurationFrozen", "products", "licenses", "warnings"])
        switch kind {
        case .licensed: #expect(body["hardwareSerial"] as? String == "SN-4711-XZ")
        default: #expect(body["hardwareSerial"] is NSNull, "a placeholder or no file is no serial")
        }
        if kind == .expiring { #expect((body["products"] as? [[String: Any]])?.first?["state"] as? String == "expiring") }
        if kind == .frozen { #expect((body["warnings"] as? [String])?.contains("configuration-frozen") == true) }

        let record = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: setup.recordPath))) as? [String: Any])
        #expect((record["sha256"] as? String)?.count == 64)
        #expect(record["endpoint"] as? String == setup.ums.baseURL + "/v1/devices/\(DeviceTree.fixtureUnit)/license-info")
    }

    /// Neither the proxy's password nor any settings value reaches the UMS or the record.
    @Test func theBodyCarriesNoSecret() throws {
        let setup = try Setup()
        try setup.license("PAS-7QK2M.lic", product: "PAS")
        let server = setup.ums.baseURL.replacingOccurrences(of: "https://", with: "https://umsadmin:UmsPa55word@")
        try setup.settings(server: server, extra: """
            system.remotemanager.proxy=http://proxyuser:Pr0xyPa55@127.0.0.1:1
            network.secret.token=Setting-Value-7f3a

            """)
        try setup.device.directory.write("etc/license-agent/agent.conf", "proxy=http://confuser:C0nfPa55@127.0.0.1:2\n")
        // The proxy is configured, and bypassed for loopback (libcurl's no_proxy), so the body arrives.
        let result = try ProcessRunner.run(["env", "no_proxy=127.0.0.1", "umockdev-run", "-d", try Umockdev.fixture("device"),
                                            "--", Umockdev.agent, "report", "--root", setup.device.root])
        #expect(result.status == 0, "\(result)")
        let received = try setup.received()
        let text = try #require(received.first?.text)
        let record = try String(contentsOfFile: setup.recordPath, encoding: .utf8)
        for secret in ["UmsPa55word", "Pr0xyPa55", "C0nfPa55", "proxyuser", "Setting-Value-7f3a", "ums-ca.pem",
                       "BEGIN CERTIFICATE", "dark"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
            #expect(!record.contains(secret), "\(secret) in \(record)")
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(secret) in \(result)")
        }
    }

    /// `--if-changed`: once, then nothing; a change that leaves the facts alone (only a request
    /// file removed) sends nothing either — the change's own report keeps the rule —; an import
    /// sends, and what it sent is what the next `--if-changed` compares with.
    @Test func ifChangedSendsOnceThenNothingThenAgainAfterAnImport() throws {
        let setup = try Setup()
        let first = try setup.report(["--if-changed"])
        #expect(try first.json() as NSDictionary == ["schemaVersion": 1, "sent": true, "reason": "never-reported"], "\(first)")
        let second = try setup.report(["--if-changed"])
        #expect(second.status == 0, "\(second)")
        #expect(try second.json() as NSDictionary == ["schemaVersion": 1, "sent": false, "reason": "unchanged"])
        #expect(try setup.received().count == 1)

        // A change of /license that leaves the facts as reported: nothing is sent.
        try setup.device.directory.write("license/fetch.req", "pending request\n")
        let cleared = try setup.device.agent(["remove", "--all"])
        #expect(cleared.status == 0 && cleared.stdout.contains("fetch.req"), "\(cleared)")
        #expect(try setup.received().count == 1, "the change's report keeps the rule of --if-changed")

        let pas = try setup.device.candidate("PAS-7QK2M.lic", try setup.device.sign(DeviceTree.document(product: "PAS")))
        let imported = try setup.device.agent(["import", pas, "--json"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.isEmpty, "the report is silent: \(imported.stderr)")
        var received = try setup.received()
        #expect(received.count == 2, "the import reported the new set")
        #expect((received.last?.body["products"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["PAS"])
        #expect(received.last?.body["licensed"] as? Bool == true)
        let third = try setup.report(["--if-changed"])
        #expect(try third.json()["reason"] as? String == "unchanged", "the import's report was recorded: \(third)")

        let gone = try setup.device.agent(["remove", "--product", "PAS"])
        #expect(gone.status == 0, "\(gone)")
        received = try setup.received()
        #expect(received.count == 3, "the removal reported the smaller set")
        #expect((received.last?.body["products"] as? [[String: Any]])?.isEmpty == true)
    }

    /// Unchanged facts are sent again once the last report is a day old.
    @Test func unchangedFactsAreSentAgainADayLater() throws {
        let setup = try Setup()
        try setup.license("PAS-7QK2M.lic", product: "PAS")
        #expect(try setup.report(["--if-changed"]).json()["sent"] as? Bool == true)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = .current
        let hourLater = try setup.report(["--if-changed"], at: formatter.string(from: Date().addingTimeInterval(3600)))
        #expect(try hourLater.json()["reason"] as? String == "unchanged", "\(hourLater)")
        let dayLater = try setup.report(["--if-changed"], at: formatter.string(from: Date().addingTimeInterval(25 * 3600)))
        #expect(try dayLater.json() as NSDictionary == ["schemaVersion": 1, "sent": true, "reason": "stale"], "\(dayLater)")
        #expect(try setup.received().count == 2)
    }

    enum Failure: String, CaseIterable, CustomTestStringConvertible {
        case serverError, garbage, timeout, down
        var testDescription: String { rawValue }
    }

    /// A UMS that answers an error, garbage, nothing in time, or is down: exit 1 with one
    /// sentence, and not one file of the device changes.
    @Test(arguments: Failure.allCases)
    func aFailedReportChangesNothing(_ failure: Failure) throws {
        let setup = try Setup()
        try setup.license("PAS-7QK2M.lic", product: "PAS")
        #expect(try setup.report().status == 0)
        try setup.license("EMP-R9HXH.lic", product: "EMP")
        let before = setup.deviceFiles()
        #expect(before["wfs/license-agent/report.json"] != nil)
        switch failure {
        case .serverError: try setup.quirk("status", "500")
        case .garbage: try setup.quirk("garbage", "")
        case .timeout: try setup.quirk("delay", "45")
        case .down: setup.ums.stop()
        }
        let result = try setup.report()
        #expect(result.status == 1, "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one sentence: \(result.stderr)")
        let error = try #require(try result.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "network")
        if failure == .serverError {
            #expect(result.stderr.contains("HTTP 500") && result.stderr.contains("cannot take license information"), "\(result.stderr)")
        }
        #expect(result.stderr.contains("127.0.0.1"), "names the server: \(result.stderr)")
        #expect(setup.deviceFiles() == before, "nothing changed on the device")
    }

    /// A change of the set stands whatever the report after it does: same exit, same stdout;
    /// the report's failure is one line on stderr with --verbose only.
    @Test func aFailedReportNeverFailsTheChange() throws {
        let setup = try Setup()
        try setup.quirk("status", "503")
        let pas = try setup.device.candidate("PAS-7QK2M.lic", try setup.device.sign(DeviceTree.document(product: "PAS")))
        let imported = try setup.device.agent(["import", pas])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.isEmpty, "\(imported.stderr)")
        #expect(try setup.received().count == 1, "the import's report was tried")
        #expect(!FileManager.default.fileExists(atPath: setup.recordPath))
        let removed = try setup.device.agent(["remove", "--product", "PAS", "--verbose"])
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stderr.split(separator: "\n").filter { $0.contains("Report to the management server failed") }.count == 1,
                "\(removed.stderr)")
        #expect(try setup.device.installedNames().isEmpty)
    }

    @Test func withoutAUnitIDNothingIsSent() throws {
        let setup = try Setup()
        let result = try ProcessRunner.run(["umockdev-run", "-d", try Umockdev.fixture("nothing-usable"), "--",
                                            Umockdev.agent, "report", "--json", "--root", setup.device.root])
        #expect(result.status == 1, "\(result)")
        #expect(try result.json() as NSDictionary == ["schemaVersion": 1, "sent": false, "reason": "unit-id-missing"])
        #expect(result.stderr.contains("unit-id-missing") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(try setup.received().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: setup.recordPath))
    }

    @Test func withoutAServerThereIsNothingToDo() throws {
        let setup = try Setup()
        try setup.settings(server: nil)
        let result = try setup.report(["--if-changed"])
        #expect(result.status == 0, "\(result)")
        #expect(try result.json() as NSDictionary == ["schemaVersion": 1, "sent": false, "reason": "no-server"])
        #expect(setup.ums.requests().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: setup.recordPath))
    }

    /// A record that does not parse is "never reported": sent, said with --verbose, replaced.
    @Test func aCorruptRecordCountsAsNeverReported() throws {
        let setup = try Setup()
        try setup.license("PAS-7QK2M.lic", product: "PAS")
        try setup.device.directory.write("wfs/license-agent/report.json", "{\"schemaVersion\":1,\"sha256\":")
        let quiet = try setup.report(["--if-changed"])
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(try quiet.json()["reason"] as? String == "never-reported")
        try setup.device.directory.write("wfs/license-agent/report.json", "\u{1}garbage")
        let verbose = try setup.report(["--if-changed", "--verbose"])
        #expect(try verbose.json()["reason"] as? String == "never-reported", "\(verbose)")
        #expect(verbose.stderr.contains("report.json is not a report record: counted as never reported"), "\(verbose.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.recordPath))) as? [String: Any]
        #expect(record?["schemaVersion"] as? Int == 1)
        #expect(try setup.report(["--if-changed"]).json()["reason"] as? String == "unchanged")
        #expect(try setup.received().count == 2)
    }
}
