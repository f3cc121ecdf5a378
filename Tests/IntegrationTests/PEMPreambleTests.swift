import Foundation
import Testing
import TestSupport

/// A license as it arrives by mail or with a note: text before its PEM block, and after it
/// (LICENSE-FORMAT.md "Envelope": PEM is read as OpenSSL's PEM reader reads it). The built
/// agent installs it and counts it valid, as `openssl cms -verify -inform PEM` reads it.
@Suite struct PEMPreambleImportTests {
    @Test func aLicenseWithAMailHeaderIsImportedAndValid() throws {
        let device = try DeviceTree()
        let pem = try device.sign(DeviceTree.document(licenseId: "L-MAILED"))
        let mailed = Data("Subject: Your license EMP-R9HXH\r\nFrom: licensing@vendor.example\r\n\r\n".utf8) + pem
            + Data("\n-- \nThe licensing team\n".utf8)
        let file = try device.candidate("mailed.lic", mailed)

        let imported = try device.agent(["import", file])
        #expect(imported.status == 0, "\(imported)")
        #expect(try device.installedNames() == ["mailed.lic"])

        let status = try device.agent(["status", "--json"])
        #expect(status.status == 0, "\(status)")
        let licenses = try #require(try status.json()["licenses"] as? [[String: Any]])
        #expect(licenses.map { $0["verdict"] as? String } == ["valid"], "\(licenses)")
        #expect(licenses.first?["licenseId"] as? String == "L-MAILED")
    }

    /// The boot check reads the installed file the same way, fast path or not.
    @Test func theBootCheckCountsItValid() throws {
        let device = try DeviceTree()
        let plain = try device.sign(DeviceTree.document(licenseId: "L-PLAIN"))
        try device.install("PAS-plain.lic", plain)
        try device.install("PAS-noted.lic", Data("license for unit 00E0C51C5087\n\n".utf8)
                           + device.sign(DeviceTree.document(licenseId: "L-NOTED", product: "EMP")))
        let check = try device.agent(["check", "--json"])
        #expect(check.status == 0, "\(check)")
        let licenses = try #require(try check.json()["licenses"] as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: licenses.map { ($0["file"] as! String, $0["verdict"] as! String) })
        #expect(verdicts == ["PAS-plain.lic": "valid", "PAS-noted.lic": "valid"])
    }
}
