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
                                           "--company", "Example Ltd", "--json"] + extra)
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
        let plain = try fixture.agent("activate", ["--evaluation", "--email", "a@example.com", "--name", "A",
                                                   "--server", "http://127.0.0.1:1"])
        #expect(plain.status == 64, "\(plain)")
        let none = try fixture.agent("activate", ["--evaluation", "--email", "a@example.com", "--name", "A"])
        #expect(none.status == 64, "\(none)")
        #expect(none.stderr.contains("server_url="), "\(none.stderr)")
        let noFlag = try fixture.agent("activate", ["--email", "a@example.com", "--name", "A", "--server", "https://x"])
        #expect(noFlag.status == 64, "\(noFlag)")
        #expect(!FileManager.default.fileExists(atPath: fixture.requestFile))
    }
}
