import Foundation
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// libcurl through `CurlTransfer` and `CurlURL`, against loopback servers made at test time.
@Suite struct CurlTransferTests {
    /// The UMS's `ums_ca` is trusted beside the CA file libcurl loads (on a device: the system
    /// store), not instead of it: two servers with certificates from two CAs both verify.
    @Test func anExtraCAIsAddedToTheStoreNotSubstitutedForIt() throws {
        let work = try TemporaryDirectory("curl-extra-ca")
        let files = try work.makeDirectory("files")
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: files + "/x.lic"))
        let storeCA = try TestServerCA(), umsCA = try TestServerCA()
        let storeServer = try LoopbackTestServer(mode: .https, files: files, certificate: storeCA, workDirectory: work)
        let umsServer = try LoopbackTestServer(mode: .https, files: files, certificate: umsCA, workDirectory: work)
        let both = CurlTransfer.Options(caFile: storeCA.caPath, extraCAFile: umsCA.caPath)
        #expect(try CurlTransfer().download(url: storeServer.baseURL + "/files/x.lic", options: both) == Array("hello\n".utf8))
        #expect(try CurlTransfer().download(url: umsServer.baseURL + "/files/x.lic", options: both) == Array("hello\n".utf8))
        let storeOnly = CurlTransfer.Options(caFile: storeCA.caPath)
        let refused = #expect(throws: AgentError.self) {
            try CurlTransfer().download(url: umsServer.baseURL + "/files/x.lic", options: storeOnly)
        }
        #expect(refused?.code == .network)
        let missing = #expect(throws: AgentError.self) {
            try CurlTransfer().download(url: umsServer.baseURL + "/files/x.lic",
                                        options: .init(extraCAFile: work.appending("none.pem")))
        }
        #expect(missing?.sentence.contains("missing or empty") == true)
        #expect(missing?.failure == .extraCAFileMissing)
        #expect(missing?.remedy == nil, "the caller, which knows where the file was named, gives the remedy")
    }

    /// A body past the limit is refused as such, and the remedy is left to the caller.
    @Test func aBodyOverTheLimitIsAFailureOfItsOwn() throws {
        let work = try TemporaryDirectory("curl-limit")
        let files = try work.makeDirectory("files")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: files + "/big.lic"))
        let ca = try TestServerCA()
        let server = try LoopbackTestServer(mode: .https, files: files, certificate: ca, workDirectory: work)
        let refused = #expect(throws: AgentError.self) {
            try CurlTransfer().download(url: server.baseURL + "/files/big.lic", options: .init(caFile: ca.caPath, limit: 1024))
        }
        #expect(refused?.failure == .bodyOverLimit)
        #expect(refused?.sentence.contains("larger than the limit of 1024 bytes") == true)
        #expect(refused?.remedy == nil)
    }

    @Test func getReturnsEveryStatusWithTheFinalHeaders() throws {
        let work = try TemporaryDirectory("curl-get")
        let ca = try TestServerCA()
        let ums = try UMSTestServer(certificate: ca, workDirectory: work)
        let link = try ums.serve("EMP.lic", Data("license\n".utf8))
        let options = CurlTransfer.Options(caFile: ca.caPath)
        let first = try CurlTransfer().get(url: link, headers: [], options: options)
        #expect(first.status == 200)
        #expect(first.body == Array("license\n".utf8))
        let etag = try #require(first.headers["etag"])
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""), "no line end left in \(etag)")
        let again = try CurlTransfer().get(url: link, headers: ["If-None-Match: \(etag)"], options: options)
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        let missing = try CurlTransfer().get(url: ums.baseURL + "/licenses/none.lic", headers: [], options: options)
        #expect(missing.status == 404)
        #expect(missing.firstBodyLine == "no such license")
        #expect(try CurlTransfer().get(url: ums.baseURL + "/v1/devices/X/license", headers: [], options: options).status == 204)
    }

    @Test func urlPartsComeFromLibcurlsParser() throws {
        #expect(try CurlURL("https://ums:8443/licenses/EMP%2DR9HXH.lic?x=1#y").fileName == "EMP-R9HXH.lic")
        #expect(try CurlURL("https://user:pw@ums.example.com:8443/l.lic").host == "ums.example.com")
        #expect(try CurlURL("ftp://host/dir/").fileName == nil)
        #expect(try CurlURL("HTTPS://host/a").scheme == "https")
        #expect(try CurlURL("https://host/%00.lic").fileName == nil, "a NUL is not decoded into a name")
        let bad = #expect(throws: AgentError.self) { try CurlURL("not a url") }
        #expect(bad?.code == .usage)
    }
}
