import Foundation
@testable import LicenseAgent
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// `CurlTransfer` reports what failed and the agent adds the remedy: the sentence a person
/// reads is the one the transfer layer used to write by itself.
@Suite struct TransferRemedyTests {
    @Test func aMissingUMSCAFileNamesTheDeviceSetting() throws {
        let work = try TemporaryDirectory("remedy-ca")
        let missing = work.appending("none.pem")
        let failure = #expect(throws: AgentError.self) {
            try CurlTransfer().download(url: "https://ums.invalid/l.lic", options: .init(extraCAFile: missing))
        }
        #expect(failure?.withTransferRemedy().sentence
            == "The CA certificate file for https://ums.invalid/l.lic is missing or empty (\(missing)). "
            + "Fix system.remotemanager.ums_ca in the device settings, or remove it to trust the system store only.")
    }

    @Test func aBodyOverTheLimitIsNoLicenseFile() throws {
        let work = try TemporaryDirectory("remedy-limit")
        let files = try work.makeDirectory("files")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: files + "/big.lic"))
        let ca = try TestServerCA()
        let server = try LoopbackTestServer(mode: .https, files: files, certificate: ca, workDirectory: work)
        let url = server.baseURL + "/files/big.lic"
        let failure = #expect(throws: AgentError.self) {
            try CurlTransfer().download(url: url, options: .init(caFile: ca.caPath, limit: 1024))
        }
        #expect(failure?.withTransferRemedy().sentence
            == "The download from \(url) is larger than the limit of 1024 bytes. A license file is never that large; check the URL.")
    }

    @Test func libcurlMissingNamesThePackage() {
        let error = AgentError(.network, "libcurl (libcurl.so.4) is not installed", cause: .text("not found"),
                               failure: .libcurlMissing)
        #expect(error.withTransferRemedy().sentence
            == "libcurl (libcurl.so.4) is not installed: not found. Install the libcurl4 package.")
    }

    /// Any other failure keeps its own remedy, or none.
    @Test func otherFailuresAreLeftAsTheyAre() {
        let status = AgentError(.network, "The download from https://x/l.lic failed", cause: .httpStatus(404))
        #expect(status.withTransferRemedy().sentence == status.sentence)
        #expect(status.withTransferRemedy().remedy == nil)
        let advised = AgentError(.invalidData, "Not JSON", remedy: "Check the UMS")
        #expect(advised.withTransferRemedy().remedy == "Check the UMS")
    }
}
