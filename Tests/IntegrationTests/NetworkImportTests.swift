import Foundation
import TestSupport
import Testing

/// `license-agent fetch URL`: real transfers with libcurl against loopback servers — HTTPS with
/// a test CA made by `openssl`, FTP with pyftpdlib — and `file:`.
@Suite struct NetworkImportTests {
    /// A device tree, a directory of license files served over https and ftp, and the servers.
    final class Setup {
        let fixture: ImportSourceFixture
        let files: String
        let ca: TestServerCA
        let https: LoopbackTestServer

        init(_ label: String, agentConfig: String? = nil) throws {
            fixture = try ImportSourceFixture(label, agentConfig: agentConfig)
            let unit = ImportSourceFixture.machineUnit
            try #require(!unit.isEmpty, "this machine needs a unit ID for the test")
            files = try fixture.directory.makeDirectory("served")
            try fixture.license(id: "NET-GOOD", units: [unit]).write(to: URL(fileURLWithPath: files + "/EMP-NET.lic"))
            try fixture.license(id: "NET-OTHER", units: ["00E0C5000002"]).write(to: URL(fileURLWithPath: files + "/other.lic"))
            ca = try TestServerCA()
            https = try LoopbackTestServer(mode: .https, files: files, certificate: ca, workDirectory: fixture.directory)
        }

        func fetch(_ url: String, _ extra: [String] = []) throws -> ProcessResult {
            try fixture.agent("fetch", [url, "--json"] + extra)
        }
    }

    /// `--cacert` is the bytes the shell passed (CLI.md "File names, output and secrets").
    @Test func aCAFileWhoseNameIsNotUTF8IsReadByItsBytes() throws {
        let setup = try Setup("fetch-cacert-bytes")
        let url = setup.https.baseURL + "/files/EMP-NET.lic"
        try ProcessRunner.checked(["sh", "-c", "cp \"$1\" \"$2/$(printf 'ca\\351.pem')\"", "sh",
                                   setup.ca.caPath, setup.fixture.directory.path])
        let result = try ProcessRunner.run([
            "sh", "-c", "exec \"$1\" fetch \"$2\" --json --root \"$3\" --cacert \"$4/$(printf 'ca\\351.pem')\"",
            "sh", Umockdev.agent, url, setup.fixture.root, setup.fixture.directory.path,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
        let missing = try ProcessRunner.run([
            "sh", "-c", "exec \"$1\" fetch \"$2\" --root \"$3\" --cacert \"$4/$(printf 'gone\\351.pem')\"",
            "sh", Umockdev.agent, url, setup.fixture.root, setup.fixture.directory.path,
        ])
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.contains("gone\\xe9.pem"), "named by its bytes, escaped: \(missing)")
    }

    @Test func httpsWithTheTestCAIsAcceptedAndInstalled() throws {
        let setup = try Setup("fetch-https")
        let result = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)\n\(setup.https.logText)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "valid")
        #expect(entry["installedAs"] as? String == "EMP-NET.lic")
        #expect(entry["source"] as? String == setup.https.baseURL + "/files/EMP-NET.lic")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
    }

    @Test func httpsWithoutTheCAIsRefusedBeforeAnythingIsRead() throws {
        let setup = try Setup("fetch-untrusted")
        let result = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains(setup.https.baseURL + "/files/EMP-NET.lic"), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains("certificate"), "\(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test func notFoundNamesTheHTTPStatus() throws {
        let setup = try Setup("fetch-404")
        let result = try setup.fetch(setup.https.baseURL + "/files/missing.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("the server answered HTTP 404"), "\(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test(arguments: ["/big.lic", "/big-chunked.lic"])
    func oversizeBodiesAreCutOff(path: String) throws {
        let setup = try Setup("fetch-big")
        let result = try setup.fetch(setup.https.baseURL + path, ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("larger than the limit of 65536 bytes"), "\(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test func redirectsAreFollowedButNotForever() throws {
        let setup = try Setup("fetch-redirect")
        let followed = try setup.fetch(setup.https.baseURL + "/redirect/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(followed.status == 0, "\(followed)")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])

        let loop = try setup.fetch(setup.https.baseURL + "/loop", ["--cacert", setup.ca.caPath])
        #expect(loop.status == 1, "\(loop)")
        #expect(loop.stderr.contains("Maximum (5) redirects followed"), "\(loop.stderr)")
    }

    @Test func aRedirectToALocalFileIsRefused() throws {
        let setup = try Setup("fetch-to-file")
        let result = try setup.fetch(setup.https.baseURL + "/to-file/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("curl error 1)"), "unsupported protocol: \(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    @Test func ftpDownloadIsInstalled() throws {
        let setup = try Setup("fetch-ftp")
        let ftp = try LoopbackTestServer(mode: .ftp, files: setup.files, workDirectory: setup.fixture.directory)
        let result = try setup.fetch(ftp.baseURL + "/EMP-NET.lic")
        #expect(result.status == 0, "\(result)\n\(ftp.logText)")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])

        let missing = try setup.fetch(ftp.baseURL + "/missing.lic")
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.contains(ftp.baseURL + "/missing.lic"))
    }

    @Test func fileURLIsInstalledAndAnotherUnitsLicenseIsRefused() throws {
        let setup = try Setup("fetch-file")
        // The network helper reads file: URLs as its own user, not as root: the test's private
        // directory (mkdtemp makes it 0700) must let others through to the served files.
        try ProcessRunner.checked(["chmod", "o+x", setup.fixture.directory.path])
        let good = try setup.fetch("file://" + setup.files + "/EMP-NET.lic")
        #expect(good.status == 0, "\(good)")
        let other = try setup.fetch("file://" + setup.files + "/other.lic")
        #expect(other.status == 2, "\(other)")
        let entry = try #require((try other.json()["results"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "other-unit")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
    }

    @Test func theConfiguredProxyIsUsedAndNamedInTheFailure() throws {
        // Port 1 on loopback: nothing listens, so the proxy connection itself fails.
        let setup = try Setup("fetch-proxy", agentConfig: "proxy=http://127.0.0.1:1\n")
        let result = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("The proxy http://127.0.0.1:1 was used"), "\(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)

        // --proxy wins over agent.conf; --proxy "" means a direct connection.
        let overridden = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic",
                                         ["--cacert", setup.ca.caPath, "--proxy", "http://127.0.0.1:2"])
        #expect(overridden.stderr.contains("The proxy http://127.0.0.1:2 was used"), "\(overridden.stderr)")
        let directly = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic", ["--cacert", setup.ca.caPath, "--proxy", ""])
        #expect(directly.status == 0, "\(directly)")

        // With no proxy at all the message says how to set one.
        let direct = try ImportSourceFixture("fetch-no-proxy")
        let failed = try direct.agent("fetch", ["https://127.0.0.1:1/x.lic"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("No proxy is configured"), "\(failed.stderr)")
        #expect(failed.stderr.contains("proxy= in /etc/license-agent/agent.conf or pass --proxy URL"))
    }

    /// "HTTP download, FTP, or USB": plain http is accepted, with a note on stderr that the
    /// transport is unencrypted; the signature is what is checked.
    @Test func plainHTTPIsInstalledWithANote() throws {
        let setup = try Setup("fetch-http")
        let http = try LoopbackTestServer(mode: .http, files: setup.files, workDirectory: setup.fixture.directory)
        let result = try setup.fetch(http.baseURL + "/files/EMP-NET.lic")
        #expect(result.status == 0, "\(result)\n\(http.logText)")
        #expect(result.stderr.contains("Note: http:// is not encrypted"), "\(result.stderr)")
        #expect(try result.json()["results"] as? [[String: Any]] != nil, "the note stays off stdout")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
        let refused = try setup.fetch(http.baseURL + "/files/other.lic")
        #expect(refused.status == 2, "an http download is verified like any other: \(refused)")
        let https = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(!https.stderr.contains("Note:"), "\(https.stderr)")
        let bad = try setup.fixture.agent("fetch", ["gopher://127.0.0.1:1/x.lic"])
        #expect(bad.status == 64, "\(bad)")
    }

    /// The file name comes from libcurl's URL parser: `%2D` is `-`, not `_2D`.
    @Test func theFileNameIsTheDecodedLastPathComponent() throws {
        let setup = try Setup("fetch-name")
        let result = try setup.fetch(setup.https.baseURL + "/files/EMP%2DNET.lic?token=x#part", ["--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)\n\(setup.https.logText)")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
    }

    /// A redirect from https may not lead to plain http.
    @Test func aRedirectFromHTTPSToHTTPIsRefused() throws {
        let setup = try Setup("fetch-downgrade")
        let http = try LoopbackTestServer(mode: .http, files: setup.files, workDirectory: setup.fixture.directory)
        let result = try setup.fetch(setup.https.baseURL + "/redirect-to/" + http.baseURL + "/files/EMP-NET.lic",
                                     ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("curl error 1)"), "unsupported protocol: \(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
        let direct = try setup.fetch(http.baseURL + "/redirect-to/" + setup.https.baseURL + "/files/EMP-NET.lic",
                                     ["--cacert", setup.ca.caPath])
        #expect(direct.status == 0, "http may redirect to https: \(direct)")
    }
}
