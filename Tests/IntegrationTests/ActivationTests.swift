import Foundation
import TestSupport
import Testing

/// `license-agent activate --evaluation`: the setup assistant's request for a 90-day license,
/// against a local HTTPS license server that checks the request and answers with a license
/// signed by the test PKI.
@Suite struct ActivationTests {
    final class Setup {
        let fixture: ImportSourceFixture
        let ca: TestServerCA
        let server: LoopbackTestServer
        let record: String

        /// A server that answers with an evaluation license for `licensedUnit` (default: this machine).
        init(_ label: String, generation: Int = 12, licensedUnit: String? = nil, agentConfig: String? = nil) throws {
            fixture = try ImportSourceFixture(label, generation: generation, agentConfig: agentConfig)
            let unit = ImportSourceFixture.machineUnit
            try #require(!unit.isEmpty, "this machine needs a unit ID for the test")
            let product = generation == 11 ? "WE-E" : "PAS"
            let license = try fixture.directory.write(
                "evaluation.lic", try fixture.license(id: "EVAL-\(label)", units: [licensedUnit ?? unit],
                                                      product: product, model: "evaluation"))
            record = fixture.directory.appending("request.json")
            ca = try TestServerCA()
            server = try LoopbackTestServer(mode: .https, files: fixture.directory.path, certificate: ca, unit: unit,
                                            generation: generation, evaluationLicense: license, record: record,
                                            requestFile: fixture.requestFile, workDirectory: fixture.directory)
        }

        func activate(_ extra: [String] = []) throws -> ProcessResult {
            try fixture.agent("activate", ["--evaluation", "--email", "admin@example.com", "--name", "Ada Admin",
                                           "--company", "Example Ltd", "--accept-terms", "--json"] + extra)
        }

        /// What the server saw: the request body and fetch.req's contents at that moment.
        func recorded() throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: record))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    static func requestFile(_ text: String?) throws -> [String: Any] {
        let data = Data(try #require(text).utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func evaluationLicenseIsRequestedInstalledAndTheRequestFileRemoved() throws {
        let setup = try Setup("activate-os12")
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)\n\(setup.server.logText)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "valid")
        #expect(entry["installedAs"] as? String == "PAS-evaluation.lic")
        #expect(entry["source"] as? String == setup.server.baseURL + "/v1/evaluation")
        #expect(try result.json()["removed"] as? [String] == ["fetch.req"])
        #expect(try setup.fixture.installed() == ["PAS-evaluation.lic"])
        #expect(!FileManager.default.fileExists(atPath: setup.fixture.requestFile))

        let seen = try setup.recorded()
        #expect((seen["problems"] as? [String])?.isEmpty == true, "\(seen)")
        let body = try #require(seen["body"] as? [String: Any])
        #expect(body["unitId"] as? String == ImportSourceFixture.machineUnit)
        #expect(body["email"] as? String == "admin@example.com")
        #expect(body["name"] as? String == "Ada Admin")
        #expect(body["company"] as? String == "Example Ltd")
        #expect(body["osGeneration"] as? Int == 12)
        #expect(body["termsAccepted"] as? Bool == true)
        // fetch.req was on disk while the request was in flight.
        let request = try Self.requestFile(seen["requestFile"] as? String)
        #expect(request["unitId"] as? String == ImportSourceFixture.machineUnit)
        #expect(request["product"] as? String == "PAS")
        #expect((request["requestTime"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func osElevenRequestsWorkspaceEditionEvaluationFromTheConfiguredServer() throws {
        let setup = try Setup("activate-os11", generation: 11)
        try setup.fixture.directory.write("root/etc/license-agent/agent.conf", "server_url=\(setup.server.baseURL)/\n")
        let result = try setup.activate(["--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)\n\(setup.server.logText)")
        #expect(try setup.fixture.installed() == ["WE-E-evaluation.lic"])
        let seen = try setup.recorded()
        #expect((seen["body"] as? [String: Any])?["osGeneration"] as? Int == 11)
        #expect(try Self.requestFile(seen["requestFile"] as? String)["product"] as? String == "WE-E")
    }

    @Test func serverDownLeavesTheRequestFileAndSaysHowToSetAProxy() throws {
        let setup = try Setup("activate-down")
        setup.server.stop()
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        let sentence = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!sentence.contains("\n"), "one sentence: \(sentence)")
        #expect(sentence.hasPrefix("No evaluation license could be obtained from \(setup.server.baseURL)/v1/evaluation"))
        #expect(sentence.contains("No proxy is configured"), "\(sentence)")
        #expect(sentence.contains("proxy= in /etc/license-agent/agent.conf or pass --proxy URL"))
        #expect(sentence.contains("/license/fetch.req"))
        let request = try Self.requestFile(try String(contentsOfFile: setup.fixture.requestFile, encoding: .utf8))
        #expect(request["product"] as? String == "PAS")
        #expect(request["unitId"] as? String == ImportSourceFixture.machineUnit)
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test func aConfiguredProxyIsNamedWhenActivationFails() throws {
        let setup = try Setup("activate-proxy", agentConfig: "proxy=http://127.0.0.1:1\n")
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("The proxy http://127.0.0.1:1 was used"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: setup.fixture.requestFile))
    }

    @Test func aLicenseForAnotherUnitIsRefusedAndTheRequestStays() throws {
        let setup = try Setup("activate-other", licensedUnit: "00E0C5000003")
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 2, "\(result)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "other-unit")
        #expect(FileManager.default.fileExists(atPath: setup.fixture.requestFile))
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test func theServerMustBeHTTPSAndKnown() throws {
        let fixture = try ImportSourceFixture("activate-usage")
        let form = ["--email", "a@example.com", "--name", "A", "--company", "C", "--accept-terms"]
        let plain = try fixture.agent("activate", ["--evaluation"] + form + ["--server", "http://127.0.0.1:1"])
        #expect(plain.status == 64, "\(plain)")
        let none = try fixture.agent("activate", ["--evaluation"] + form)
        #expect(none.status == 64, "\(none)")
        #expect(none.stderr.contains("server_url="), "\(none.stderr)")
        let noFlag = try fixture.agent("activate", form + ["--server", "https://x"])
        #expect(noFlag.status == 64, "\(noFlag)")
        #expect(!FileManager.default.fileExists(atPath: fixture.requestFile))
    }

    /// "Fill in every field" and accept the terms: without them it is a usage error, and
    /// nothing is written or sent.
    @Test(arguments: [["--company"], ["--accept-terms"], ["--company", "--accept-terms"]])
    func everyFieldAndTheTermsAreRequired(missing: [String]) throws {
        let fixture = try ImportSourceFixture("activate-fields")
        var arguments = ["--evaluation", "--email", "a@example.com", "--name", "A", "--server", "https://127.0.0.1:1"]
        if !missing.contains("--company") { arguments += ["--company", "C"] }
        if !missing.contains("--accept-terms") { arguments.append("--accept-terms") }
        let result = try fixture.agent("activate", arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(missing[0]), "\(result.stderr)")
        let empty = try fixture.agent("activate", ["--evaluation", "--email", "a@example.com", "--name", "A",
                                                   "--company", " ", "--accept-terms", "--server", "https://127.0.0.1:1"])
        #expect(empty.status == 64, "\(empty)")
        #expect(!FileManager.default.fileExists(atPath: fixture.requestFile))
    }

    /// Only a fresh device: one registered with a UMS, or holding a base license in any state,
    /// is refused with the reason before anything is written or sent.
    @Test func aRegisteredDeviceIsRefusedWithTheReason() throws {
        let setup = try Setup("activate-registered")
        try setup.fixture.directory.write("root/wfs/group.ini", "system.remotemanager.server=https://ums.example.com:8443\n")
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("registered with the management server https://ums.example.com:8443"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.fixture.requestFile))
        #expect(!FileManager.default.fileExists(atPath: setup.record), "nothing was sent")
    }

    @Test(arguments: [("PAS", 12), ("WE-E", 11), ("WE", 11)])
    func aDeviceWithABaseLicenseIsRefused(product: String, generation: Int) throws {
        let setup = try Setup("activate-licensed", generation: generation)
        // Expired long ago: an expired base license refuses as well as a valid one.
        let document = DeviceTree.document(product: product, model: product == "WE-E" ? "evaluation" : "subscription",
                                           starts: "2026-01-01", expires: "2026-03-31", units: [ImportSourceFixture.machineUnit])
        try setup.fixture.directory.write("root/license/dsa/licenses/\(product).lic", setup.fixture.pki.sign(document: document, signer: .p256))
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("already holds a base license (\(product).lic: \(product)"), "\(result.stderr)")
        #expect(try setup.fixture.installed() == ["\(product).lic"])
        #expect(!FileManager.default.fileExists(atPath: setup.record))
    }
}
